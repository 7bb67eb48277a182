"""Citizen journeys and the session state machine: plain Python, no Qt, testable with fakes."""
