"""Initiatives and the agency's Change and Implementation stages."""
