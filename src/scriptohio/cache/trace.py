"""Reading cache traces: one request per line, ``KEY`` or ``KEY SIZE``, optionally compressed.

Keys are returned as the raw ``bytes`` tokens (opaque; never parsed), sizes as ints. Files ending
in ``.zst``, ``.gz`` or ``.xz`` are decompressed on the fly, chunk by chunk, so a 12-million-line
trace streams in constant memory.
"""

from __future__ import annotations

import gzip
import io
import lzma
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from scriptohio.errors import DataFormatError

CHUNK_BYTES = 1 << 22


def _open(path: Path) -> IO[bytes]:
    name = path.name
    if name.endswith(".zst"):
        import zstandard

        raw = path.open("rb")
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    if name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if name.endswith(".xz"):
        return lzma.open(path, "rb")
    return path.open("rb")


def iter_chunks(path: str | Path) -> Iterator[tuple[list[bytes], list[int] | None]]:
    """Yield ``(keys, sizes)`` lists per chunk of whole lines; ``sizes`` is None for unsized lines.

    Raises :class:`DataFormatError` naming the file and line for a line with more than two
    fields or a size that is not a non-negative integer.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFormatError("trace file not found", file=str(p))
    line_no = 0
    tail = b""
    with _open(p) as fh:
        while True:
            block = fh.read(CHUNK_BYTES)
            if not block:
                break
            block = tail + block
            cut = block.rfind(b"\n")
            if cut < 0:
                tail = block
                continue
            tail = block[cut + 1 :]
            lines = block[:cut].split(b"\n")
            yield _parse(lines, p, line_no)
            line_no += len(lines)
        if tail.strip():
            yield _parse([tail], p, line_no)


def _parse(lines: list[bytes], path: Path, first: int) -> tuple[list[bytes], list[int] | None]:
    if b" " not in lines[0] and b"\t" not in lines[0]:
        keys = [ln.strip() for ln in lines if ln.strip()]
        if any(len(k.split()) != 1 for k in keys):
            return _parse_sized(lines, path, first)
        return keys, None
    return _parse_sized(lines, path, first)


def _parse_sized(lines: list[bytes], path: Path, first: int) -> tuple[list[bytes], list[int]]:
    keys: list[bytes] = []
    sizes: list[int] = []
    for i, line in enumerate(lines):
        parts = line.split()
        if not parts:
            continue
        if len(parts) > 2:
            raise DataFormatError(
                "expected 'KEY' or 'KEY SIZE'", file=str(path), line=first + i + 1, value=line
            )
        size = 1
        if len(parts) == 2:
            try:
                size = int(parts[1])
            except ValueError:
                size = -1
            if size < 0:
                raise DataFormatError(
                    "size must be a non-negative integer",
                    file=str(path),
                    line=first + i + 1,
                    column="SIZE",
                    value=parts[1].decode(errors="replace"),
                ) from None
        keys.append(parts[0])
        sizes.append(size)
    return keys, sizes
