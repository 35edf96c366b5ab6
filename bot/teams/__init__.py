"""Microsoft Teams: translating between Teams (the Microsoft 365 Agents SDK, the Bot Connector) and the core."""
