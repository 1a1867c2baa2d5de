"""Progress updates: a parent's UpdatePreference, the ProgressUpdate per period, the email's
content (through the access module), the beat tick, the unsubscribe link and the clinician's
preview."""
