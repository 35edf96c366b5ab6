"""Test harness: a fake Slack Web API and a client that signs requests as Slack does."""
