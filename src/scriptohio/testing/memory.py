"""What a process holds in memory, and what it shares, from ``/proc/<pid>/smaps`` (Linux).

* **RSS**: every resident page the process maps, shared or not;
* **USS**: the pages only this process maps (``Private_Clean + Private_Dirty``): what its end
  would give back;
* **PSS**: each page divided by the number of processes mapping it, so the PSS of a group of
  processes adds up to what the host holds for them;
* **shared**: resident pages some other process maps too (``Shared_Clean + Shared_Dirty``);
* **shared anonymous**: of those, the pages of no file (heap, anonymous mappings). Only a fork
  shares them: processes started afresh share the libraries they map and nothing of their
  heaps, so this is what tells workers forked from one loaded parent from spawned ones.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ProcessMemory"]

_KB = 1024


@dataclass(frozen=True)
class ProcessMemory:
    """One process's memory, in bytes."""

    rss: int
    pss: int
    uss: int
    shared: int
    shared_anonymous: int
    anonymous: int

    @classmethod
    def of(cls, pid: int) -> ProcessMemory:
        """Read process ``pid``'s figures now."""
        with open(f"/proc/{pid}/smaps_rollup") as f:
            rollup = _fields(f.read().splitlines()[1:])
        return cls(rss=rollup["Rss"], pss=rollup["Pss"],
                   uss=rollup["Private_Clean"] + rollup["Private_Dirty"],
                   shared=rollup["Shared_Clean"] + rollup["Shared_Dirty"],
                   shared_anonymous=_shared_anonymous(pid), anonymous=rollup["Anonymous"])


def _fields(lines: list[str]) -> dict[str, int]:
    """``Name:  123 kB`` lines → {name: bytes}."""
    out: dict[str, int] = {}
    for line in lines:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            out[name] = int(parts[0]) * _KB
    return out


def _shared_anonymous(pid: int) -> int:
    """Shared resident bytes of the mappings that are not of a file."""
    total = 0
    anonymous = False
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            head = line.split(maxsplit=6)
            if len(head) >= 5 and "-" in head[0] and ":" in head[3]:  # a mapping's first line
                path = head[5].strip() if len(head) > 5 else ""
                anonymous = path == "" or path == "[heap]" or path.startswith("[anon")
            elif anonymous and line.startswith(("Shared_Clean:", "Shared_Dirty:")):
                total += int(line.split()[1]) * _KB
    return total
