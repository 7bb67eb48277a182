"""Held-out documents drawn apart from bench/docgen, to see whether the reader generalises."""
