"""Checks of the code itself: lint, types, layers, import hygiene, packaging."""
