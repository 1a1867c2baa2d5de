"""Fixtures of the tests of engagement/messaging/."""
