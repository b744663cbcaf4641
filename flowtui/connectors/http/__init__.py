"""The HTTP toolkit every source (and later every destination) shares."""
