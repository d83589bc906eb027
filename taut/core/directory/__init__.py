"""The practitioner directory's pure logic: distances, offline place look-up and search."""
