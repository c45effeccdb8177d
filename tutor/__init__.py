"""mitutor: an offline terminal tutor for mechanistic interpretability."""

__version__ = "0.1.0"
