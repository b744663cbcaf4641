"""A day's roll-up per stream and location: building, listing and reading digests."""
