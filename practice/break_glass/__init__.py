"""Break-the-glass: emergency read access to a record outside one's care team."""
