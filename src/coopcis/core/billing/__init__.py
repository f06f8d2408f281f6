"""Billing rules: which bills to hold for review, how a bill is booked."""
