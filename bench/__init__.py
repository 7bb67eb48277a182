"""Benchmarks: each reports figures as ratios against a named baseline measured in the same run."""
