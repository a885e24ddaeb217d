"""Ordering lessons: prerequisite closure and a stable topological order (pure functions).

A role's path is every lesson tagged with that role plus everything those lessons need, in an
order where each lesson comes after its prerequisites. Among lessons that are ready at the same
time, easier levels come first, then the catalogue's own order, so the path is deterministic.
A cycle raises :class:`DataFormatError` naming the lessons on it.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence

from scriptohio.agents.learn.lesson import LEVELS, Lesson
from scriptohio.errors import DataFormatError

__all__ = ["find_cycle", "prerequisite_closure", "role_path", "topological_order"]


def prerequisite_closure(lessons: Mapping[str, Lesson], roots: Iterable[str]) -> set[str]:
    """``roots`` plus every lesson they need, transitively."""
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        lesson_id = stack.pop()
        if lesson_id in seen:
            continue
        seen.add(lesson_id)
        stack.extend(lessons[lesson_id].prerequisites)
    return seen


def find_cycle(lessons: Mapping[str, Lesson]) -> list[str] | None:
    """A prerequisite cycle as ``[a, b, ..., a]``, or None when the graph is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = finished
    for start in lessons:
        if state.get(start):
            continue
        # Iterative DFS: a deep chain of prerequisites must not hit the recursion limit.
        walk: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while walk:
            node, index = walk[-1]
            needs = lessons[node].prerequisites
            if index == len(needs):
                state[node] = 2
                walk.pop()
                continue
            walk[-1] = (node, index + 1)
            nxt = needs[index]
            if state.get(nxt) == 1:
                on_walk = [n for n, _ in walk]
                return [*on_walk[on_walk.index(nxt) :], nxt]
            if nxt in lessons and not state.get(nxt):
                state[nxt] = 1
                walk.append((nxt, 0))
    return None


def topological_order(lessons: Mapping[str, Lesson], subset: Iterable[str]) -> list[str]:
    """``subset`` ordered so that every lesson follows its prerequisites (Kahn's algorithm)."""
    chosen = set(subset)
    rank = {lesson_id: position for position, lesson_id in enumerate(lessons)}
    pending = {
        lesson_id: sum(1 for need in lessons[lesson_id].prerequisites if need in chosen)
        for lesson_id in chosen
    }
    dependants: dict[str, list[str]] = {lesson_id: [] for lesson_id in chosen}
    for lesson_id in chosen:
        for need in lessons[lesson_id].prerequisites:
            if need in chosen:
                dependants[need].append(lesson_id)

    def key(lesson_id: str) -> tuple[int, int, str]:
        return (LEVELS.index(lessons[lesson_id].level), rank[lesson_id], lesson_id)

    ready = [key(lesson_id) for lesson_id, count in pending.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        lesson_id = heapq.heappop(ready)[2]
        order.append(lesson_id)
        for follower in dependants[lesson_id]:
            pending[follower] -= 1
            if pending[follower] == 0:
                heapq.heappush(ready, key(follower))
    if len(order) != len(chosen):
        stuck = sorted(chosen - set(order))
        raise DataFormatError(f"prerequisite cycle among lessons {stuck}", column="prerequisites")
    return order


def role_path(lessons: Mapping[str, Lesson], role: str) -> Sequence[str]:
    """The ordered lesson ids for a role: its lessons plus their prerequisites."""
    tagged = [lesson_id for lesson_id, lesson in lessons.items() if role in lesson.roles]
    return topological_order(lessons, prerequisite_closure(lessons, tagged))
