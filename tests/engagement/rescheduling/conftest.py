"""Fixtures of the tests of engagement/rescheduling/."""
