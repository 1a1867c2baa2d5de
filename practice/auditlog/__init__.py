"""The audit log: the one audit service every feature calls (services.py: `audit`,
`audit_read`, `audit_each`, `client_ip`) and the pages where practice admins read it."""
