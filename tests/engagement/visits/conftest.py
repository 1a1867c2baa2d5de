"""Fixtures of the tests of engagement/visits/."""
