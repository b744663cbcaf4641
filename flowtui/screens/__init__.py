"""Textual screens of the Flow console (arrives with the console issue)."""
