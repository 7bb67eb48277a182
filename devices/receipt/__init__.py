"""ESC/POS receipt printers and an oracle that reads back what we send them."""
