"""Code scanners that are not the camera: USB-CDC serial scanners and HID keyboard-wedge scanners.

``repeats`` holds the repeat filter every scanner shares, ``serial_scanner`` the line-based serial
driver, ``simulator`` the same bytes from the device's side on a pty, and ``wedge`` the timing rule
that tells a scanner's keystrokes from a person's (the Qt event filter is ``kiosk.ui.wedge``).
"""
