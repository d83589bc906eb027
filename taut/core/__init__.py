"""Taut's framework-free core: knowledge, reasoning, measurement and planning.

Nothing in this package may import Django or any part of ``taut`` outside
``taut.core``.
"""
