"""Treatment plans and home programmes, from a visit's findings: pure, no framework."""
