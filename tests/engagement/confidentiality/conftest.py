"""Fixtures of the tests of engagement/confidentiality/."""
