"""Collections: notices, protections, agreements, disconnect and reconnect orders."""
