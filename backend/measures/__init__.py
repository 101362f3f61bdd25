"""Measures, their data points, and run charts with IHI and Anhoej signals."""
