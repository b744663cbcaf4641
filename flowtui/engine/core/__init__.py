"""The shared vocabulary: errors, money and text formats, the clock, names, the canonical order."""
