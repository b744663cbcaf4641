"""The MiniPOS till's screens."""
