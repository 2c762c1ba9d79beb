"""Types for argparse options: each turns the text a user typed into a value, or says what is allowed."""

from __future__ import annotations

import argparse
import math


def hidden_sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "0", "none"):
        return []
    try:
        sizes = [int(part) for part in text.replace(" ", "").split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of layer sizes such as 8 or 16,8") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("each hidden layer needs at least 1 unit (use 'none' for no hidden layer)")
    return sizes


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number greater than 0")
    return value


def count(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be {minimum} or more")
        return value
    return parse
