"""Adaptive compression: the codec follows size and compressibility; everything round-trips."""

from __future__ import annotations

import random

import orjson
import pytest

from scriptohio.cache.compression import LZ4, RAW, ZSTD, ZSTD_DICT, CompressionConfig, Compressor


def _prediction(i: int) -> bytes:
    return orjson.dumps(
        {
            "home": f"Team {i}",
            "away": f"Team {i + 1}",
            "season": 2025,
            "week": i % 15,
            "prediction": {"margin": i / 7, "home_win_prob": 0.5 + i / 1000, "winner": f"Team {i}"},
        }
    )


def test_small_values_are_stored_raw() -> None:
    c = Compressor()
    stored = c.encode(b'{"a": 1}')
    assert stored[:1] == RAW and c.decode(stored) == b'{"a": 1}'


def test_incompressible_values_are_stored_raw() -> None:
    c = Compressor()
    noise = random.Random(1).randbytes(50_000)
    stored = c.encode(noise)
    assert stored[:1] == RAW and c.decode(stored) == noise


def test_a_compressible_head_does_not_keep_a_value_that_zstd_barely_shrinks() -> None:
    # Only the first KB is probed before zstd; zstd's result must still save 10 %.
    c = Compressor()
    head = b"[" + b",".join(_prediction(i) for i in range(40)) + b"]"
    assert len(head) > CompressionConfig().probe_size
    mostly_noise = head + random.Random(2).randbytes(20 * len(head))
    stored = c.encode(mostly_noise)
    assert stored[:1] == RAW and c.decode(stored) == mostly_noise
    half_noise = head + random.Random(3).randbytes(len(head) // 4)
    stored = c.encode(half_noise)
    assert stored[:1] == ZSTD and c.decode(stored) == half_noise


def test_json_uses_zstd_and_huge_values_lz4() -> None:
    c = Compressor(CompressionConfig(zstd_max_size=100_000))
    body = b"[" + b",".join(_prediction(i) for i in range(200)) + b"]"
    assert len(body) < 100_000
    stored = c.encode(body)
    assert stored[:1] == ZSTD and len(stored) < len(body) / 3
    huge = body * 10
    stored = c.encode(huge)
    assert stored[:1] == LZ4 and c.decode(stored) == huge
    assert c.ratio > 3


def test_trained_dictionary_compresses_small_json() -> None:
    c = Compressor(CompressionConfig(min_size=4096, dict_samples=200))
    bodies = [_prediction(i) for i in range(300)]
    for body in bodies:
        assert c.encode(body)[:1] == RAW  # too small for plain compression
    assert c.ready_to_train and c.train_dictionary()
    stored = c.encode(_prediction(999))
    assert stored[:1] == ZSTD_DICT
    assert len(stored) < len(_prediction(999)) * 0.6
    assert c.decode(stored) == _prediction(999)


def test_values_compressed_before_a_retraining_still_decode() -> None:
    c = Compressor(CompressionConfig(min_size=4096, dict_samples=200))
    for i in range(300):
        c.encode(_prediction(i))
    assert c.train_dictionary()
    old = c.encode(_prediction(1000))
    for i in range(300):  # new traffic of another shape, then a second dictionary
        c.encode(orjson.dumps({"team": f"T{i}", "rank": i, "rating": i / 3, "conference": "X"}))
    assert c.train_dictionary()
    new = c.encode(_prediction(1001))
    assert old[:1] == new[:1] == ZSTD_DICT
    assert c.decode(old) == _prediction(1000) and c.decode(new) == _prediction(1001)
    stranger = Compressor(CompressionConfig(min_size=4096, dict_samples=200))
    for i in range(300):
        stranger.encode(orjson.dumps({"x": i, "y": [i, i + 1], "label": f"value {i}"}))
    assert stranger.train_dictionary()
    with pytest.raises(ValueError, match="dictionary"):
        stranger.decode(old)


async def test_l2_compaction_with_a_trained_dictionary() -> None:
    from scriptohio.cache import LocalCache, LocalConfig, LruPolicy
    from scriptohio.cache.maintenance import MaintenanceConfig, compact_in_slices

    local = LocalCache(
        LocalConfig(max_entries=1, compression=CompressionConfig(dict_samples=100)),
        policy=LruPolicy,
    )
    bodies = {f"p{i}": _prediction(i) for i in range(300)}
    for key, body in bodies.items():
        local.put(key, body)  # L1 holds one: the rest is demoted to L2, stored raw (small)
    before = local.l2.bytes
    assert local.compressor.train_dictionary()
    saved = await compact_in_slices(local, MaintenanceConfig(slice_keys=64))
    assert saved > 0 and local.l2.bytes == before - saved
    assert local.l2.bytes < before * 0.7
    for key, body in bodies.items():
        assert local.lookup(key).value == body
