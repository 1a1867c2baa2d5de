"""Goals, ratings, milestones and the T-score arrive with "Goals set together"."""
