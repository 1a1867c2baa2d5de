"""The audit log pages for practice admins."""
