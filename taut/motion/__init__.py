"""Posture from photos and gait from video, per visit: media, analyses, jobs and pages."""
