"""What every record filed with a visit shares: its base model and its read path."""
