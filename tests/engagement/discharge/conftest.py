"""Fixtures of the tests of engagement/discharge/."""
