"""Reasoning from a pain chart: ranked trigger points, the neural differential and red flags."""
