"""Payments: how a payment is spread over what a member owes."""
