"""Document cameras (OpenCV frame sources) and QR code decoding."""
