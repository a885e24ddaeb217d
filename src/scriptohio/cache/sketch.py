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
_NO_KEY = object()  # equal to no key: the empty position memo


class FrequencySketch:
    """Approximate recent access counts for an unbounded key space."""

    __slots__ = (
        "_door",
        "_hash",
        "_mask",
        "_max",
        "_memo",
        "_memo_key",
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
        self._mask = width - 1
        self._memo_key: Hashable = _NO_KEY
        self._memo = (0, 0, 0, 0)
        self._rows = [bytearray(width) for _ in _SEEDS]
        self._door: set[Hashable] = set()
        self._use_door = doorkeeper
        self._max = min(255, max_count)
        self._hash = hasher
        self.sample_size = max(64, sample_factor * capacity)
        self.additions = 0

    def frequency(self, key: Hashable) -> int:
        """Estimated recent count of ``key`` (0 for a key never seen since the last reset)."""
        if key == self._memo_key:
            i0, i1, i2, i3 = self._memo
        else:
            # Row i reads the top bits of (h * seed_i) mod 2**64; masking h to 64 bits first
            # keeps every product non-negative (cheaper big-int arithmetic, same bits).
            h = self._hash(key) & _M64
            s = self._shift
            m = self._mask
            i0 = (h * 0x9E3779B97F4A7C15 >> s) & m
            i1 = (h * 0xC2B2AE3D27D4EB4F >> s) & m
            i2 = (h * 0x165667B19E3779F9 >> s) & m
            i3 = (h * 0xD6E8FEB86659FD93 >> s) & m
            # The admission contest asks for the same victim again and again while it keeps
            # winning: remembering the last key's counter positions saves the arithmetic.
            self._memo_key = key
            self._memo = (i0, i1, i2, i3)
        r0, r1, r2, r3 = self._rows
        count = min(r0[i0], r1[i1], r2[i2], r3[i3])
        return count + 1 if key in self._door else count

    def frequency_above(self, key: Hashable, bound: int) -> int:
        """``frequency(key)`` when that exceeds ``bound``; otherwise some value <= ``bound``.

        Cheaper than :meth:`frequency` for a contest that only asks "more than ``bound``?":
        one row already caps the minimum, so a key whose first counter is low costs one
        product instead of four.
        """
        h = self._hash(key) & _M64
        s = self._shift
        m = self._mask
        r0, r1, r2, r3 = self._rows
        first = r0[(h * 0x9E3779B97F4A7C15 >> s) & m]
        seen = 1 if key in self._door else 0
        if first + seen <= bound:
            return first + seen
        return seen + min(
            first,
            r1[(h * 0xC2B2AE3D27D4EB4F >> s) & m],
            r2[(h * 0x165667B19E3779F9 >> s) & m],
            r3[(h * 0xD6E8FEB86659FD93 >> s) & m],
        )

    def increment(self, key: Hashable) -> None:
        """Record one access to ``key``."""
        door = self._door
        if self._use_door and key not in door:
            door.add(key)
        else:
            h = self._hash(key) & _M64
            s = self._shift
            m = self._mask
            r0, r1, r2, r3 = self._rows
            i0 = (h * 0x9E3779B97F4A7C15 >> s) & m
            i1 = (h * 0xC2B2AE3D27D4EB4F >> s) & m
            i2 = (h * 0x165667B19E3779F9 >> s) & m
            i3 = (h * 0xD6E8FEB86659FD93 >> s) & m
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
        self.additions = additions = self.additions + 1
        if additions >= self.sample_size:
            self.age()

    def age(self) -> None:
        """Halve every counter and clear the doorkeeper (the periodic TinyLFU reset)."""
        self._rows = [bytearray(row.translate(_HALVE)) for row in self._rows]
        self._door.clear()
        self.additions //= 2
