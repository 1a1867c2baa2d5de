"""Safety concerns: the clinical record for the care team, a statement for the family."""
