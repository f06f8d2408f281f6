"""Parties, memberships, accounts and applications for service."""
