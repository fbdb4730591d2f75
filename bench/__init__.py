"""Benchmark helpers (not part of the pipeline)."""
