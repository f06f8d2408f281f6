"""A member's own usage: interval data summed for charts, facts and high-usage alerts."""
