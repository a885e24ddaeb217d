"""Adaptive compression for the L2 tier and the shared tier.

The choice per value (all decisions local and cheap):

* below ``min_size`` bytes: raw, unless a trained zstd dictionary exists and the value is at
  least ``dict_min_size`` (small JSON bodies share most of their structure: a dictionary
  trained on past bodies compresses them where plain zstd cannot);
* otherwise lz4 is tried first as a cheap probe of compressibility (on the first
  ``probe_size`` bytes only when zstd will follow: the probe then only decides raw or not).
  If it saves < 10 % the value is stored raw (it is already compressed or random). Values up
  to ``zstd_max_size`` then get zstd (better ratio, still fast at these sizes), kept only if
  it saves 10 %; larger ones keep lz4 (speed).

Stored form: one codec byte (``r`` raw, ``l`` lz4, ``z`` zstd, ``d`` zstd + dictionary)
followed by the payload, so any process with the same dictionary can read it back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import lz4.block
import zstandard

RAW, LZ4, ZSTD, ZSTD_DICT = b"r", b"l", b"z", b"d"


@dataclass(frozen=True, slots=True)
class CompressionConfig:
    """Size thresholds and levels."""

    min_size: int = 512
    dict_min_size: int = 64
    zstd_max_size: int = 256 * 1024
    # Above this size (and up to zstd_max_size) only the first probe_size bytes are probed.
    probe_size: int = 1024
    zstd_level: int = 3
    min_saving: float = 0.10
    dict_size: int = 16 * 1024
    dict_samples: int = 400


DEFAULT_COMPRESSION = CompressionConfig()


class Compressor:
    """Encode/decode values; learns a zstd dictionary from small payloads when asked."""

    def __init__(
        self, config: CompressionConfig = DEFAULT_COMPRESSION, *, rng: random.Random | None = None
    ) -> None:
        self.config = config
        self._zc = zstandard.ZstdCompressor(level=config.zstd_level)
        self._zd = zstandard.ZstdDecompressor()
        self._dict: zstandard.ZstdCompressionDict | None = None
        self._dc: zstandard.ZstdCompressor | None = None
        self._dd: zstandard.ZstdDecompressor | None = None
        self._older: dict[int, zstandard.ZstdDecompressor] = {}  # by dictionary id
        self._samples: list[bytes] = []
        self._seen_small = 0
        self._rng = rng or random.Random(0)
        self.raw_bytes = 0
        self.stored_bytes = 0

    @property
    def ratio(self) -> float:
        """Raw bytes / stored bytes over everything encoded so far (1.0 when nothing)."""
        return self.raw_bytes / self.stored_bytes if self.stored_bytes else 1.0

    @property
    def ready_to_train(self) -> bool:
        """Enough small payloads were sampled to try training a dictionary."""
        return len(self._samples) >= self.config.dict_samples // 2

    @property
    def has_dictionary(self) -> bool:
        """True once a trained dictionary is in use."""
        return self._dict is not None

    def encode(self, data: bytes, *, portable: bool = False) -> bytes:
        """Compressed form of ``data`` with its codec byte.

        ``portable``: never use the trained dictionary (for the shared tier, whose readers
        may be processes that trained a different one or none).
        """
        out = self._encode(data, portable)
        self.raw_bytes += len(data)
        self.stored_bytes += len(out)
        return out

    def _encode(self, data: bytes, portable: bool) -> bytes:
        cfg = self.config
        n = len(data)
        keep_below = n * (1.0 - cfg.min_saving)
        if n < cfg.min_size:
            self._sample(data)
            if self._dc is not None and n >= cfg.dict_min_size and not portable:
                packed = self._dc.compress(data)
                if len(packed) + 1 <= keep_below:
                    return ZSTD_DICT + packed
            return RAW + data
        if cfg.probe_size < n <= cfg.zstd_max_size:
            # zstd will compress the whole value anyway: probe only its head with lz4 (a
            # value whose first KB does not compress is almost never worth compressing).
            head = memoryview(data)[: cfg.probe_size]
            if len(lz4.block.compress(head, store_size=False)) > cfg.probe_size * (
                1.0 - cfg.min_saving
            ):
                return RAW + data
            packed = self._zc.compress(data)
            return ZSTD + packed if len(packed) + 1 <= keep_below else RAW + data
        probe = lz4.block.compress(data, store_size=True)
        if len(probe) + 1 > keep_below:
            return RAW + data
        if n <= cfg.zstd_max_size:
            packed = self._zc.compress(data)
            if len(packed) < len(probe):
                return ZSTD + packed
        return LZ4 + probe

    def decode(self, stored: bytes) -> bytes:
        """Inverse of :meth:`encode`."""
        codec, payload = stored[:1], memoryview(stored)[1:]
        if codec == RAW:
            return bytes(payload)
        if codec == ZSTD:
            return self._zd.decompress(payload)
        if codec == LZ4:
            return lz4.block.decompress(payload)
        if codec == ZSTD_DICT:
            if self._dd is None:
                raise ValueError("value was compressed with a dictionary this process lacks")
            try:
                return self._dd.decompress(payload)
            except zstandard.ZstdError:
                # Compressed before a retraining: its frame names the older dictionary.
                dict_id = zstandard.get_frame_parameters(payload).dict_id
                older = self._older.get(dict_id)
                if older is None:
                    raise ValueError(f"value needs zstd dictionary {dict_id}, which this "
                                     "process never had") from None
                return older.decompress(payload)
        raise ValueError(f"unknown codec byte {codec!r}")

    # -- dictionary ------------------------------------------------------------------------
    def _sample(self, data: bytes) -> None:
        """Reservoir-sample small payloads for dictionary training."""
        self._seen_small += 1
        limit = self.config.dict_samples
        if len(self._samples) < limit:
            self._samples.append(data)
        else:
            j = self._rng.randrange(self._seen_small)
            if j < limit:
                self._samples[j] = data

    def train_dictionary(self) -> bool:
        """Train on the sampled small payloads; adopt the dictionary only if it pays.

        CPU-bound (tens of ms): call it from a worker thread, never on the event loop.
        Returns True when a dictionary was adopted.
        """
        samples: list[bytes | bytearray | memoryview] = list(self._samples)
        if len(samples) < 20:
            return False
        try:
            trained = zstandard.train_dictionary(self.config.dict_size, samples)
        except zstandard.ZstdError:
            return False
        # Fresh compressors: this runs in a worker thread and zstd contexts are not
        # thread-safe, while the loop keeps using self._zc.
        plain_c = zstandard.ZstdCompressor(level=self.config.zstd_level)
        dc = zstandard.ZstdCompressor(level=self.config.zstd_level, dict_data=trained)
        plain = sum(len(plain_c.compress(s)) for s in samples)
        with_dict = sum(len(dc.compress(s)) for s in samples)
        raw = sum(len(s) for s in samples)
        if with_dict > min(plain, raw) * (1.0 - self.config.min_saving):
            return False
        self.adopt_dictionary(trained)
        return True

    def adopt_dictionary(self, trained: zstandard.ZstdCompressionDict) -> None:
        """Use ``trained`` from now on (e.g. one shared by every process of the service)."""
        if self._dict is not None and self._dd is not None:
            # Values compressed with the current dictionary stay in L2: keep its decoder.
            self._older[self._dict.dict_id()] = self._dd
        self._dict = trained
        # Decoder first: anything encoded with the new dictionary must already be decodable.
        self._dd = zstandard.ZstdDecompressor(dict_data=trained)
        dc = zstandard.ZstdCompressor(level=self.config.zstd_level, dict_data=trained)
        # The first use of a dictionary builds its tables (tens of ms): pay that here, in the
        # caller's (worker) thread, not in the first request that compresses.
        self._dd.decompress(dc.compress(b"{}"))
        self._dc = dc
