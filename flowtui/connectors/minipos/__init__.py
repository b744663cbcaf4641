"""The MiniPOS source: its orders are written by the till itself."""
