"""The member's own usage: charts and their facts, the rate comparison, Green Button
downloads and high-usage alerts (issue 12, "Usage, and what it costs")."""
