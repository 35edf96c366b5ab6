"""The console backend: the whole bot in a terminal, on SQLite, with a seeded committee and no Slack account."""
