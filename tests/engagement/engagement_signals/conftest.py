"""Fixtures of the tests of engagement/engagement_signals/."""
