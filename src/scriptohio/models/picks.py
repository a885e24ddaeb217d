"""Grade a user's own game picks against the market, Elo only and our ensemble.

A picks file is CSV with a header: ``game_id`` or ``home_team`` + ``away_team`` +
``game_date`` (YYYY-MM-DD, US Eastern, as in games.csv), and ``margin`` (home − away points)
and/or ``home_win_prob``. Team names go through the resolver; a pick whose home and away are
the other way round from the schedule is flipped. The whole file is validated first
(:class:`~scriptohio.errors.DataFormatError` names the line, column and value); a row that
matches no scored game is reported, not graded.

Walk-forward honesty: the Elo-only baseline, the market's probability map and the ensemble are
fitted on the seasons through ``train_through`` (default: the season before the first pick's)
and only picks of later seasons are graded, every forecaster on the same games. The market is
the closing line (``-spread``), so it has no against-the-spread record.

Scores per forecaster, overall and by week bucket: MAE (margin picks), Brier and log loss
(probability picks), winner record (a margin's sign or a probability over 0.5; ties and
50/50 calls not counted) and against-the-spread record (margin picks on games with a line;
pushes counted apart).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scriptohio.data.dataset import Dataset
from scriptohio.errors import CallerError, DataFormatError
from scriptohio.features import FeatureStore
from scriptohio.models.baselines import EloBaseline, MarketBaseline
from scriptohio.models.metrics import EPS, week_bucket
from scriptohio.models.train import fit_window, training_rows

__all__ = ["BUCKETS", "Pick", "grade_forecasts", "grade_picks", "read_picks"]

BUCKETS = ("1-4", "5-9", "10+", "postseason")


@dataclass(frozen=True, slots=True)
class Pick:
    line: int
    game_id: int | None
    home: str | None
    away: str | None
    game_date: str | None
    margin: float | None
    home_win_prob: float | None


def _number(row: dict[str, str], column: str, file: str, line: int) -> float | None:
    raw = (row.get(column) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise DataFormatError("expected a number", file=file, line=line, column=column,
                              value=raw) from None
    if not math.isfinite(value):
        raise DataFormatError("expected a finite number", file=file, line=line, column=column,
                              value=raw)
    return value


def read_picks(path: Path) -> list[Pick]:
    """Parse and validate a picks file (see the module docstring)."""
    file = str(path)
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            header = set(reader.fieldnames or [])
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataFormatError(f"cannot read CSV: {exc}", file=file) from exc
    if "game_id" not in header and not {"home_team", "away_team", "game_date"} <= header:
        raise DataFormatError("need a game_id column, or home_team, away_team and game_date",
                              file=file, line=1)
    if not {"margin", "home_win_prob"} & header:
        raise DataFormatError("need a margin and/or a home_win_prob column", file=file, line=1)
    out = []
    for i, row in enumerate(rows):
        line = i + 2
        gid = _number(row, "game_id", file, line)
        margin = _number(row, "margin", file, line)
        prob = _number(row, "home_win_prob", file, line)
        if margin is None and prob is None:
            raise DataFormatError("no margin and no home_win_prob", file=file, line=line)
        if prob is not None and not 0.0 <= prob <= 1.0:
            raise DataFormatError("a probability is between 0 and 1", file=file, line=line,
                                  column="home_win_prob", value=prob)
        home, away, day = ((row.get(k) or "").strip() or None
                           for k in ("home_team", "away_team", "game_date"))
        if gid is None and not (home and away and day):
            raise DataFormatError("no game_id, and home_team/away_team/game_date incomplete",
                                  file=file, line=line)
        out.append(Pick(line, None if gid is None else int(gid), home, away, day, margin, prob))
    return out


def _match(dataset: Dataset, picks: list[Pick]) -> tuple[list[int], list[Pick], list[str]]:
    """Game rows of the picks (picks flipped to the schedule's sides) and the unmatched."""
    games = dataset.games
    c = games.cols
    rows, matched, problems = [], [], []
    for p in picks:
        row = games.row_of(p.game_id) if p.game_id is not None else None
        flip = False
        if row is None and p.home and p.away and p.game_date:
            try:
                home, away = dataset.teams.require(p.home), dataset.teams.require(p.away)
            except CallerError as exc:
                problems.append(f"line {p.line}: {exc.detail}")
                continue
            season = int(p.game_date[:4])
            for s in (season, season - 1):  # a January bowl belongs to the season before
                found = [r for r in games.rows_between(home, away, s).tolist()
                         if c["game_date"][r] == p.game_date]
                if found:
                    row, flip = found[0], c["home_team"][found[0]] != home
                    break
        if row is None:
            problems.append(f"line {p.line}: no such game")
            continue
        if np.isnan(games.home_margin[row]):
            problems.append(f"line {p.line}: game {int(c['game_id'][row])} has no result")
            continue
        rows.append(int(row))
        matched.append(Pick(p.line, int(c["game_id"][row]), None, None, None,
                            None if p.margin is None else (-p.margin if flip else p.margin),
                            None if p.home_win_prob is None else
                            (1 - p.home_win_prob if flip else p.home_win_prob)))
    return rows, matched, problems


def _record(pick_home: np.ndarray, home_won: np.ndarray) -> dict[str, int]:
    return {"won": int((pick_home == home_won).sum()), "lost": int((pick_home != home_won).sum())}


def _score(margin: np.ndarray, prob: np.ndarray, y: np.ndarray, spread: np.ndarray,
           *, ats: bool) -> dict[str, Any]:
    """Scores of one forecaster (NaN = no forecast of that kind for that game)."""
    has_m, has_p = ~np.isnan(margin), ~np.isnan(prob)
    out: dict[str, Any] = {"n": int((has_m | has_p).sum())}
    if has_m.any():
        out["mae"] = float(np.mean(np.abs(margin[has_m] - y[has_m])))
    if has_p.any():
        won = (y[has_p] > 0).astype(float)
        decided = y[has_p] != 0
        p = np.clip(prob[has_p][decided], EPS, 1 - EPS)
        out["brier"] = float(np.mean((p - won[decided]) ** 2))
        out["log_loss"] = float(-np.mean(won[decided] * np.log(p)
                                         + (1 - won[decided]) * np.log(1 - p)))
    side = np.where(has_m, np.sign(margin), np.sign(np.nan_to_num(prob, nan=0.5) - 0.5))
    called = (side != 0) & (y != 0)
    out["winner"] = _record(side[called] > 0, y[called] > 0)
    if ats:
        lined = has_m & ~np.isnan(spread)
        call = np.sign(margin[lined] + spread[lined])  # > 0: the home team covers
        result = np.sign(y[lined] + spread[lined])
        ok = (call != 0) & (result != 0)
        out["ats"] = {**_record(call[ok] > 0, result[ok] > 0),
                      "push": int(((result == 0) & (call != 0)).sum())}
    return out


def grade_forecasts(forecasts: dict[str, tuple[np.ndarray, np.ndarray]], y: np.ndarray,
                    spread: np.ndarray, buckets: np.ndarray) -> dict[str, Any]:
    """Scores of every forecaster (``(margin, prob)`` arrays, NaN = none), overall and by
    week bucket (pure)."""
    out: dict[str, Any] = {}
    for name, (margin, prob) in forecasts.items():
        ats = name != "market"
        out[name] = {"all": _score(margin, prob, y, spread, ats=ats), "by_week": {
            b: _score(margin[buckets == b], prob[buckets == b], y[buckets == b],
                      spread[buckets == b], ats=ats)
            for b in BUCKETS if (buckets == b).any()}}
    return out


def grade_picks(dataset: Dataset, path: Path | str, *, train_through: int | None = None,
                features: FeatureStore | None = None) -> dict[str, Any]:
    """Grade the picks in ``path`` (see the module docstring); returns the report."""
    picks = read_picks(Path(path))
    rows, matched, problems = _match(dataset, picks)
    games = dataset.games
    c = games.cols
    seasons = c["season"][rows] if rows else np.empty(0, dtype=int)
    if train_through is None:
        train_through = int(seasons.min()) - 1 if len(seasons) else dataset.games.seasons[-1]
    keep = [i for i, s in enumerate(seasons.tolist()) if s > train_through]
    excluded = len(rows) - len(keep)
    rows_a = np.array([rows[i] for i in keep], dtype=int)
    mine = [matched[i] for i in keep]
    report: dict[str, Any] = {"file": Path(path).name, "rows": len(picks), "graded": len(keep),
                              "train_through": train_through,
                              "excluded_in_training_window": excluded,
                              "unmatched": problems[:50], "unmatched_count": len(problems)}
    if not len(rows_a):
        report["forecasters"] = {}
        return report
    features = features or FeatureStore.build(dataset)
    y = games.home_margin[rows_a]
    spread = c["spread"][rows_a].astype(float)
    bundle = fit_window(dataset, features, through=train_through)
    train = training_rows(dataset, features, through=train_through)
    x_train, y_train = features.game_features(train), games.home_margin[train]
    elo = EloBaseline.fit(x_train, y_train)
    market = MarketBaseline.fit(c["spread"][train], y_train)
    x = features.game_features(rows_a)
    ens = bundle.predict(x)
    nan = np.full(len(rows_a), np.nan)
    with np.errstate(invalid="ignore"):
        market_margin, market_prob = market.predict(np.nan_to_num(spread, nan=0.0))
    forecasts = {
        "you": (np.array([nan[0] if p.margin is None else p.margin for p in mine]),
                np.array([nan[0] if p.home_win_prob is None else p.home_win_prob
                          for p in mine])),
        "market": (np.where(np.isnan(spread), np.nan, market_margin),
                   np.where(np.isnan(spread), np.nan, market_prob)),
        "elo": elo.predict(x),
        "ensemble": (ens.margin, ens.prob),
    }
    buckets = np.array([week_bucket(t, w) for t, w in zip(
        c["season_type"][rows_a].tolist(), c["week"][rows_a].tolist(), strict=True)])
    report["seasons"] = sorted({int(s) for s in c["season"][rows_a].tolist()})
    report["games_with_line"] = int((~np.isnan(spread)).sum())
    report["forecasters"] = grade_forecasts(forecasts, y, spread, buckets)
    return report
