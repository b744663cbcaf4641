"""What the CLI and the console call: the Flow facade and its per-area services."""
