"""Double-entry books on the RUS Uniform System of Accounts: entries, rules, checks."""
