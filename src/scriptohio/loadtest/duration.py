"""Durations as load testers write them: ``90``, ``30s``, ``5m``, ``1h``, ``1h30m``, ``500ms``.

Locust's ``--run-time`` takes ``20``, ``20s``, ``3m``, ``2h``, ``1h20m``; k6's ``--duration``
takes Go durations (``30s``, ``1h30m``, ``1.5h``, ``500ms``). :func:`parse_duration` accepts
both: a plain number of seconds, or numbers with the units ``h``, ``m``, ``s``, ``ms``, each
at most once and in that order. Anything else is a :class:`~scriptohio.errors.ValidationError`
naming the accepted forms.
"""

from __future__ import annotations

import math
import re

from scriptohio.errors import ValidationError

ACCEPTED_FORMS = "seconds (90, 2.5) or h/m/s/ms units in that order (30s, 5m, 1h, 1h30m, 500ms)"

_NUMBER = r"\d+(?:\.\d+)?"
_UNITS = re.compile(
    rf"(?:(?P<h>{_NUMBER})h)?(?:(?P<m>{_NUMBER})m(?!s))?(?:(?P<s>{_NUMBER})s)?"
    rf"(?:(?P<ms>{_NUMBER})ms)?",
    re.IGNORECASE,
)
_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(text: str) -> float:
    """Seconds in ``text`` (see the module docstring); must be more than 0."""
    raw = text.strip()
    if re.fullmatch(_NUMBER, raw):
        seconds = float(raw)
    else:
        match = _UNITS.fullmatch(raw)
        if not raw or match is None or not any(match.groupdict().values()):
            raise ValidationError(f"invalid duration {text!r}: use {ACCEPTED_FORMS}")
        seconds = sum(float(v) * _SECONDS[unit] for unit, v in match.groupdict().items() if v)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValidationError(f"duration must be more than 0 s, got {text!r}: use {ACCEPTED_FORMS}")
    return seconds
