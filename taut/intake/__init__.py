"""Client intake: a private, expiring link a client fills on a phone before the first visit."""
