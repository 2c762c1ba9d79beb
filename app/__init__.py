"""Backprop Lab: watch backpropagation work."""

__version__ = "0.1.0"
