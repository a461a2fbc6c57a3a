"""Benchmarks (not tests): `python3 dev.py bench`."""
