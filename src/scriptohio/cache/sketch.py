"""Count-min frequency sketch with a doorkeeper and periodic halving (TinyLFU's memory).

The sketch estimates how often a key was seen recently, in a few bytes per cached entry:

* ``depth`` rows of small saturating counters (max 15, as in TinyLFU's 4-bit counters);
  the estimate is the minimum over the rows, so collisions only ever over-estimate.
* A *doorkeeper* set absorbs the first sighting of each key, so one-hit wonders never reach
  the counters and cannot crowd out the keys that matter.
* After ``sample_size`` increments every counter is halved and the doorkeeper cleared: old
  popularity decays, which lets the cache follow a shifting working set.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

_M64 = (1 << 64) - 1
# Odd 64-bit multipliers (Fibonacci-hashing style): each row takes the top bits of h * seed.
_SEEDS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
_HALVE = bytes(i >> 1 for i in range(256))
MAX_COUNT = 15
DEFAULT_SAMPLE_FACTOR = 10
DEFAULT_WIDTH_FACTOR = 2
KeyHasher = Callable[[Hashable], int]


class FrequencySketch:
    """Approximate recent access counts for an unbounded key space."""

    __slots__ = (
        "_door",
        "_hash",
        "_max",
        "_rows",
        "_shift",
        "_use_door",
        "_width",
        "additions",
        "sample_size",
    )

    def __init__(
        self,
        capacity: int,
        *,
        sample_factor: int = DEFAULT_SAMPLE_FACTOR,
        width_factor: int = DEFAULT_WIDTH_FACTOR,
        doorkeeper: bool = True,
        max_count: int = MAX_COUNT,
        hasher: KeyHasher = hash,
    ) -> None:
        width = 1
        while width < max(16, capacity * width_factor):
            width <<= 1
        self._width = width
        self._shift = 64 - (width.bit_length() - 1)
        self._rows = [bytearray(width) for _ in _SEEDS]
        self._door: set[Hashable] = set()
        self._use_door = doorkeeper
        self._max = min(255, max_count)
        self._hash = hasher
        self.sample_size = max(64, sample_factor * capacity)
        self.additions = 0

    def frequency(self, key: Hashable) -> int:
        """Estimated recent count of ``key`` (0 for a key never seen since the last reset)."""
        h = self._hash(key)
        s = self._shift
        r0, r1, r2, r3 = self._rows
        count = min(
            r0[((h * 0x9E3779B97F4A7C15) & _M64) >> s],
            r1[((h * 0xC2B2AE3D27D4EB4F) & _M64) >> s],
            r2[((h * 0x165667B19E3779F9) & _M64) >> s],
            r3[((h * 0xD6E8FEB86659FD93) & _M64) >> s],
        )
        return count + 1 if key in self._door else count

    def increment(self, key: Hashable) -> None:
        """Record one access to ``key``."""
        door = self._door
        if self._use_door and key not in door:
            door.add(key)
        else:
            h = self._hash(key)
            s = self._shift
            r0, r1, r2, r3 = self._rows
            i0 = ((h * 0x9E3779B97F4A7C15) & _M64) >> s
            i1 = ((h * 0xC2B2AE3D27D4EB4F) & _M64) >> s
            i2 = ((h * 0x165667B19E3779F9) & _M64) >> s
            i3 = ((h * 0xD6E8FEB86659FD93) & _M64) >> s
            # Conservative update: raise only the counters at the current minimum; this
            # keeps heavy keys from inflating the estimates of keys they collide with.
            low = min(r0[i0], r1[i1], r2[i2], r3[i3])
            if low < self._max:
                if r0[i0] == low:
                    r0[i0] = low + 1
                if r1[i1] == low:
                    r1[i1] = low + 1
                if r2[i2] == low:
                    r2[i2] = low + 1
                if r3[i3] == low:
                    r3[i3] = low + 1
        self.additions += 1
        if self.additions >= self.sample_size:
            self.age()

    def age(self) -> None:
        """Halve every counter and clear the doorkeeper (the periodic TinyLFU reset)."""
        self._rows = [bytearray(row.translate(_HALVE)) for row in self._rows]
        self._door.clear()
        self.additions //= 2
