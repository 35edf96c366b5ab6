"""Persistence: SQLModel tables, the queries over them, engine set-up and migrations.

Nothing in this package knows which chat platform is in front of it.
"""
