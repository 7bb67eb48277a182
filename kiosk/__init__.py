"""The terminal: the Qt application, its citizen journeys and the technician's command line."""

__version__ = "0.1.0"
