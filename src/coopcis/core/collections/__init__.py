"""Collections and disconnection for non-payment under New Mexico rules (17.5.410 NMAC)."""
