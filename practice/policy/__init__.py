"""The practice's communication policy: the admin pages, the update service and its signal."""
