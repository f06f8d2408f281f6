"""Staff back office pages: search and the account page."""
