"""Deposits: decided, receipted, with interest, reviewed and refunded (SEC Rule No. 4)."""
