"""Backprop Lab: watch backpropagation work."""
