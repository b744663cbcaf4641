"""The built-in MiniPOS till: its arithmetic, its sales and its day."""
