"""Textual screens of the Flow console: one module per screen; shared widgets in common/, the till in minipos/."""
