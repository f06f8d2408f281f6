"""Net metering and renewable energy credits (SEC policy 425; 17.9.570 NMAC), pure rules."""
