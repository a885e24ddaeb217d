"""Read a CSV file (plain or gzip) into typed numpy columns, validating it against a schema.

Fast path: pyarrow's multi-threaded CSV reader with explicit column types. When it rejects the
file, a slow exact pass with the :mod:`csv` module finds the first offending line, column and
value, so the error names them (pyarrow's own messages do not give line numbers).

Representation of the typed columns (documented once, used everywhere):

* ``int`` not nullable -> ``int64``; ``int`` nullable -> ``float64`` with NaN for empty
* ``float`` -> ``float64`` with NaN for empty
* ``bool`` not nullable -> ``bool``; ``bool`` nullable -> ``float64`` (1.0 / 0.0 / NaN = unknown)
* ``str`` -> ``object`` array of ``str`` or ``None``
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from scriptohio.data.schema import Column, FileSchema
from scriptohio.errors import DataFormatError

Columns = dict[str, np.ndarray]

_TRUE = frozenset({"True", "true", "TRUE", "1"})
_FALSE = frozenset({"False", "false", "FALSE", "0"})
_ARROW_TYPES = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}


def read_header(path: Path) -> list[str]:
    """The header row of ``path``; a damaged gzip or empty file is a :class:`DataFormatError`."""
    try:
        with _open_text(path) as fh:
            first = fh.readline()
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise DataFormatError(f"cannot read: {exc}", file=path.name) from exc
    if not first.strip():
        raise DataFormatError("file is empty (no header row)", file=path.name, line=1)
    return next(csv.reader([first]))


def _open_text(path: Path) -> io.TextIOWrapper:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def check_header(
    header: list[str], schema: FileSchema, file: str, *, required_only: bool = False
) -> None:
    """Every listed column present (or, with ``required_only``, every non-nullable one)."""
    missing = [c.name for c in schema.columns
               if c.name not in header and not (required_only and c.nullable)]
    if missing:
        raise DataFormatError(
            f"missing required column(s) {', '.join(missing)}", file=file, line=1, column=missing[0]
        )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataFormatError("duplicate column in header", file=file, line=1, column=name)
        seen.add(name)


def read_table(path: Path, schema: FileSchema) -> Columns:
    """Load ``path`` as typed columns; raise :class:`DataFormatError` naming what is wrong."""
    header = read_header(path)
    check_header(header, schema, path.name)
    columns = schema.typed_columns(header)
    convert = pacsv.ConvertOptions(
        column_types={c.name: _ARROW_TYPES[c.kind] for c in columns},
        include_columns=[c.name for c in columns],
        null_values=[""],
        strings_can_be_null=True,
        true_values=sorted(_TRUE),
        false_values=sorted(_FALSE),
    )
    try:
        table = pacsv.read_csv(path, convert_options=convert)
    except (pa.ArrowInvalid, OSError, EOFError, zlib.error) as exc:
        _raise_exact(path, columns, exc)
        raise DataFormatError(f"cannot parse: {exc}", file=path.name) from exc
    out = {c.name: _to_numpy(table.column(c.name), c) for c in columns}
    check_values(out, columns, path.name)
    return out


def _to_numpy(chunked: pa.ChunkedArray, col: Column) -> np.ndarray:
    arr = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
    if col.kind == "str":
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)
    if col.kind == "bool":
        if arr.null_count == 0 and not col.nullable:
            return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)
        return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    if col.kind == "int" and not col.nullable and arr.null_count == 0:
        return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def check_values(cols: Columns, columns: Iterable[Column], file: str, first_line: int = 2) -> None:
    """Vectorised checks: required values present, enumerations respected."""
    for col in columns:
        values = cols[col.name]
        if not col.nullable:
            missing = _null_mask(values)
            if missing.any():
                i = int(np.argmax(missing))
                raise DataFormatError(
                    "required value is empty", file=file, line=first_line + i, column=col.name,
                    value="",
                )
        if col.choices is not None:
            bad = np.array([v is not None and v not in col.choices for v in values], dtype=bool)
            if bad.any():
                i = int(np.argmax(bad))
                raise DataFormatError(
                    f"expected one of {sorted(col.choices)}",
                    file=file, line=first_line + i, column=col.name, value=values[i],
                )


def _null_mask(values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        return np.array([v is None for v in values], dtype=bool)
    if values.dtype.kind == "f":
        return np.isnan(values)
    return np.zeros(len(values), dtype=bool)


def parse_cell(raw: str, col: Column) -> object:
    """Convert one raw cell; raise ``ValueError`` with a message when it does not fit."""
    if raw == "":
        return None
    if col.kind == "int":
        return int(raw)
    if col.kind == "float":
        return float(raw)
    if col.kind == "bool":
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ValueError("expected True or False")
    return raw


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, raw row) pairs, for exact validation passes."""
    with _open_text(path) as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, row


def rows_to_columns(
    rows: list[Mapping[str, object]], columns: list[Column]
) -> Columns:
    """Typed columns from already-parsed rows (used for ingested rows)."""
    out: Columns = {}
    for col in columns:
        values = [r.get(col.name) for r in rows]
        if col.kind == "str":
            out[col.name] = np.array(values, dtype=object)
        elif col.kind == "int" and not col.nullable:
            out[col.name] = np.array(values, dtype=np.int64)
        elif col.kind == "bool" and not col.nullable:
            out[col.name] = np.array(values, dtype=bool)
        else:
            out[col.name] = np.array(
                [np.nan if v is None else float(v) for v in values],  # type: ignore[arg-type]
                dtype=np.float64,
            )
    return out


def _raise_exact(path: Path, columns: list[Column], cause: Exception) -> None:
    """Re-read ``path`` slowly to name the first bad line/column/value; raises if found."""
    try:
        for line, row in iter_rows(path):
            if None in row or any(v is None for v in row.values()):
                raise DataFormatError(
                    "wrong number of fields on this line", file=path.name, line=line
                ) from cause
            for col in columns:
                raw = row[col.name]
                try:
                    parse_cell(raw, col)
                except ValueError as exc:
                    raise DataFormatError(
                        f"expected {col.kind}", file=path.name, line=line, column=col.name,
                        value=raw,
                    ) from exc
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise DataFormatError(
            f"file is damaged or truncated ({exc})", file=path.name
        ) from exc
