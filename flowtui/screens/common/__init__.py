"""Widgets and screens every part of the console shares."""
