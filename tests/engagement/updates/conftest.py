"""Fixtures of the tests of engagement/updates/."""
