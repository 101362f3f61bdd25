"""Fidelity assessments against a practice profile version, and their roll-ups."""
