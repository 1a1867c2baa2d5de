"""Fixtures of the tests of engagement/profiles/."""
