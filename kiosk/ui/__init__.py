"""The Qt side of the terminal: screens, widgets, workers and the simulator panel."""
