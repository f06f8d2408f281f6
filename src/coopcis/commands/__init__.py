"""Commands that need no database (the rating tools), run without starting Django."""
