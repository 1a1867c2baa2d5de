"""The goals app's tests."""
