"""CFSR reference data (outcomes, systemic factors, items 1-36) and links to it."""
