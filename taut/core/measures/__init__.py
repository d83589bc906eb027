"""Measurement: scored outcome measures and the wellness questionnaire (framework-free)."""
