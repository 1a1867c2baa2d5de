"""Fixtures of the tests of engagement/notices/."""
