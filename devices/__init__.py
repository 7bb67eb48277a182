"""Device ports, real drivers and byte-faithful simulators. No Qt here."""
