"""Priority with aging, stepped with a fake clock."""

from __future__ import annotations

from scriptohio.clock import FakeClock
from scriptohio.runtime import AgingPriorityQueue


def drain(queue: AgingPriorityQueue[str]) -> list[str]:
    out = []
    while (entry := queue.pop()) is not None:
        out.append(entry.item)
    return out


def test_higher_priority_first_fifo_within_a_level() -> None:
    clock = FakeClock()
    queue: AgingPriorityQueue[str] = AgingPriorityQueue(aging_s=1.0, clock=clock)
    queue.push("low-1", 0)
    queue.push("high-1", 5)
    queue.push("low-2", 0)
    queue.push("high-2", 5)
    assert drain(queue) == ["high-1", "high-2", "low-1", "low-2"]


def test_aging_lets_a_long_waiting_low_priority_item_overtake() -> None:
    clock = FakeClock()
    queue: AgingPriorityQueue[str] = AgingPriorityQueue(aging_s=1.0, clock=clock)
    queue.push("old-low", 0)
    clock.advance(3.0)
    queue.push("new-high", 2)  # 2 levels = 2 s head start, but old-low waited 3 s
    queue.push("new-top", 5)  # 5 s head start beats 3 s of waiting
    assert drain(queue) == ["new-top", "old-low", "new-high"]


def test_low_priority_never_starves_under_a_stream_of_high_priority() -> None:
    clock = FakeClock()
    queue: AgingPriorityQueue[str] = AgingPriorityQueue(aging_s=0.5, clock=clock)
    queue.push("low", 0)
    served = []
    for step in range(20):  # one high-priority arrival and one service per 0.1 s
        queue.push(f"high-{step}", 3)
        clock.advance(0.1)
        entry = queue.pop()
        assert entry is not None
        served.append(entry.item)
    assert "low" in served
    assert served.index("low") <= 16  # after at most 1.5 s of virtual head start


def test_removed_entries_are_skipped_and_not_counted() -> None:
    queue: AgingPriorityQueue[str] = AgingPriorityQueue(clock=FakeClock())
    a = queue.push("a")
    queue.push("b")
    queue.remove(a)
    assert len(queue) == 1
    assert drain(queue) == ["b"]
    assert len(queue) == 0
