"""PDSA cycles: small tests of change, chained per change idea."""
