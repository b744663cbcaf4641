"""flowtui: point-of-sale and e-commerce sales into a business's books."""

__version__ = "0.1.0"
