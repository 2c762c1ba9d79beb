"""Backprop Lab's benchmarks: `python -m benchmarks` (see docs/benchmarks.md).

Nothing here imports NumPy at package import time: `__main__` first limits BLAS to one thread, which only
works before NumPy is loaded.
"""
