"""Public self-care pages: the knowledge base's home exercises and conditions in plain words, without login."""
