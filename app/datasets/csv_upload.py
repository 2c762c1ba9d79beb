"""A learner's own CSV file turned into a dataset, with an error message for everything that can go wrong.

Rows are counted as a spreadsheet shows them: the header is row 1, the first example row 2.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import numpy as np

from .base import Data, DatasetError, one_hot

# Past this, sums over the data (the decision boundary's extent, x₁², a first layer's z) overflow to Infinity.
MAX_CELL = 1e15


def parse_csv(
    text: str,
    label_column: str | int | None = None,
    *,
    max_bytes: int,
    max_rows: int,
    max_columns: int,
    max_classes: int | None = None,
) -> Data:
    """Read a CSV with a header row: numeric feature columns plus one label column (the last by default).
    The limits are the settings' (max_upload_bytes, max_upload_rows, max_upload_columns; max_classes: one output
    unit per class, so max_units).

    Labels may be words or numbers; the classes are their distinct values in sorted order.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise DatasetError("file", f"The file is {size:,} bytes; the limit is {max_bytes:,} bytes.")
    text = text.removeprefix("\ufeff")  # spreadsheet programs often start UTF-8 files with a BOM
    if not text.strip():
        raise DatasetError("file", "The file is empty.")

    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip() for name in next(reader)]
        _check_header(header, max_columns)
        label_at = _label_index(header, label_column)
        rows = _read_rows(reader, header, max_rows)
    except csv.Error as error:
        raise DatasetError("file", f"This is not a readable CSV file ({error}).") from None

    if len(rows) < 2:
        raise DatasetError("file", f"The file needs at least 2 example rows below the header; it has {len(rows)}.")

    feature_at = [i for i in range(len(header)) if i != label_at]
    inputs = np.empty((len(rows), len(feature_at)), dtype=np.float64)
    for r, (row_number, cells) in enumerate(rows):
        for c, i in enumerate(feature_at):
            inputs[r, c] = _number(cells[i], row_number, header[i])

    class_index, class_names = _classes([cells[label_at] for _, cells in rows], header[label_at])
    if max_classes is not None and len(class_names) > max_classes:  # before the one-hot labels: rows × classes
        raise DatasetError("label_column", f"The label column {header[label_at]!r} holds {len(class_names):,} "
                                           f"distinct values; a network here has at most {max_classes:,} output "
                                           f"units, one per class. Is it the column of the classes?")
    return Data(inputs=inputs, labels=one_hot(class_index, len(class_names)), class_names=class_names)


def parse_csv_within(text: str, label_column: str | None, settings: Any) -> Data:
    """parse_csv with the server's bounds (a Settings): the REST upload and a live session's file read alike."""
    return parse_csv(text, label_column, max_bytes=settings.max_upload_bytes, max_rows=settings.max_upload_rows,
                     max_columns=settings.max_upload_columns, max_classes=settings.max_units)


def _check_header(header: list[str], max_columns: int) -> None:
    if len(header) > max_columns:
        raise DatasetError("file", f"The file has {len(header)} columns; the limit is {max_columns}.")
    if len(header) < 2:
        raise DatasetError("file", "The file needs at least two columns: one or more features and a label.")
    for i, name in enumerate(header):
        if not name:
            raise DatasetError("file", f"Row 1 (the header) has no name for column {i + 1}.")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise DatasetError("file", f"The header uses the column name(s) {', '.join(map(repr, duplicates))} more than once.")


def _label_index(header: list[str], label_column: str | int | None) -> int:
    """Where the label column sits: by name, by position (negative counts from the end), or last."""
    if label_column is None:
        return len(header) - 1
    if isinstance(label_column, bool) or not isinstance(label_column, (str, int)):
        raise DatasetError("label_column", "The label column must be given by its name or its position.")
    if isinstance(label_column, int):
        if not -len(header) <= label_column < len(header):
            raise DatasetError("label_column", f"There is no column number {label_column}; the file has {len(header)} columns.")
        return label_column % len(header)
    name = label_column.strip()
    if name not in header:
        raise DatasetError("label_column", f"There is no column named {name!r}; the columns are: {', '.join(header)}.")
    return header.index(name)


def _read_rows(reader, header: list[str], max_rows: int) -> list[tuple[int, list[str]]]:
    """Every non-blank row with its spreadsheet row number, each checked to be complete."""
    rows = []
    for cells in reader:
        row_number = reader.line_num  # the file line where this row ends, 1 being the header
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue  # blank lines, often at the end of the file, are not examples
        if len(rows) == max_rows:
            raise DatasetError("file", f"The file has more than {max_rows:,} example rows; the limit is {max_rows:,}.")
        if len(cells) > len(header):
            raise DatasetError("file", f"Row {row_number} has {len(cells)} cells but the header names only {len(header)} columns.")
        missing = [header[i] for i in range(len(header)) if i >= len(cells) or not cells[i]]
        if missing:
            raise DatasetError("file", f"Row {row_number} is missing a value in column(s): {', '.join(missing)}.")
        rows.append((row_number, cells))
    return rows


def _number(cell: str, row_number: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise DatasetError("file", f"Row {row_number}, column {column!r}: {cell!r} is not a number.") from None
    if not math.isfinite(value):
        raise DatasetError("file", f"Row {row_number}, column {column!r}: {cell!r} is not a finite number.")
    if abs(value) > MAX_CELL:
        raise DatasetError("file", f"Row {row_number}, column {column!r}: {value:g} is too large; values must lie "
                                   f"between -{MAX_CELL:g} and {MAX_CELL:g} (scale the column down).")
    return value


def _classes(values: list[str], column: str) -> tuple[np.ndarray, list[str]]:
    """Class number per row and the class names; numeric labels sort as numbers (2 before 10)."""
    try:
        numbers = [float(v) for v in values]
        numeric = all(math.isfinite(x) for x in numbers)
    except ValueError:
        numeric = False
    if numeric:
        # "1" and "1.0" are the same class; name it the way it is first written.
        first_spelling: dict[float, str] = {}
        for x, v in zip(numbers, values):
            first_spelling.setdefault(x, v)
        ordered = sorted(first_spelling)
        class_names = [first_spelling[x] for x in ordered]
        position = {x: k for k, x in enumerate(ordered)}
        class_index = np.array([position[x] for x in numbers])
    else:
        class_names = sorted(set(values))
        position = {v: k for k, v in enumerate(class_names)}
        class_index = np.array([position[v] for v in values])
    if len(class_names) < 2:
        raise DatasetError("file", f"The label column {column!r} holds only one class ({class_names[0]!r}); at least 2 are needed.")
    return class_index, class_names
