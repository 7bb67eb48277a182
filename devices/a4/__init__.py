"""A4 printing: certificates rendered to PDF and sent to CUPS, or to a folder as a fallback."""
