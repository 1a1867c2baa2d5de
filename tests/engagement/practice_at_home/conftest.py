"""Fixtures of the tests of engagement/practice_at_home/."""
