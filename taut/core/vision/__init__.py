"""Pose estimation behind one interface, keypoint import, and media decoding.

Everything here works on plain arrays and the types of :mod:`taut.core.vision.types`;
the heavy libraries (MediaPipe, PyAV, Pillow) are imported only where they are used.
"""
