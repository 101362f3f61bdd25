"""Benchmarks of Tandem pages by data size: `python -m bench` (not part of `make test`)."""
