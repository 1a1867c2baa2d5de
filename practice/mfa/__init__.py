"""Two-step sign-in (TOTP and recovery codes) for staff; families are never asked."""
