"""Your experiment as a script: a standalone NumPy program that reproduces the lab's numbers (docs/script.md)."""

from app.export.script.build import MAX_SCRIPT_BYTES, experiment_script

__all__ = ["MAX_SCRIPT_BYTES", "experiment_script"]
