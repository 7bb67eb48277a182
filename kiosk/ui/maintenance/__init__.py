"""The technician's maintenance mode: hidden gesture, PIN pad, status, self-tests and settings."""
