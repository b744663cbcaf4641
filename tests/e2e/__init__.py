"""Whole journeys: the demo, notebooks, benchmarks at small scale, the console in tmux and in a browser."""
