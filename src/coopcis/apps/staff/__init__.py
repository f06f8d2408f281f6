"""Staff roles, sign-in and permissions."""
