"""Resident ID card readers: the GA 467 SAM serial protocol, its card layouts and a simulator."""
