"""Agencies (tenants); users and memberships arrive with the accounts issue."""
