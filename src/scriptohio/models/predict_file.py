"""``scriptohio predict-file``: predict every row of a file in the ``games.csv`` schema.

The whole file is validated before anything is predicted; a malformed file raises
:class:`~scriptohio.errors.DataFormatError` (file, line, column, value) and writes nothing.
Rows naming an unknown team (or a season outside the data) get an ``error`` value and the
other rows are still predicted. Scores in the file are never read. Each game is predicted
from the snapshot before its week, i.e. only from data known before its kickoff.
"""

from __future__ import annotations

import csv
import gzip
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from scriptohio.data.dataset import Dataset
from scriptohio.errors import CallerError, DataFormatError
from scriptohio.models.bundle import ENSEMBLE
from scriptohio.models.prediction import PredictionRequest
from scriptohio.models.predictor import Predictor

REQUIRED = ("game_id", "season", "week", "season_type", "start_date", "neutral_site",
            "home_team", "away_team")
SEASON_TYPES = ("regular", "postseason")
TRUE, FALSE = ("true", "1", "yes", "t"), ("false", "0", "no", "f")


@dataclass(frozen=True, slots=True)
class FileGame:
    """One validated input row."""

    line: int
    game_id: str
    request: PredictionRequest


def _open(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def _int(raw: str, file: str, line: int, column: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise DataFormatError("expected an integer", file=file, line=line, column=column,
                              value=raw) from None


def read_games(path: Path) -> list[FileGame]:
    """Parse and validate ``path``; raise :class:`DataFormatError` on the first problem."""
    file = str(path)
    try:
        with _open(path) as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise DataFormatError(f"missing required column(s): {', '.join(missing)}",
                                      file=file, line=1, column=missing[0])
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error, EOFError) as exc:
        raise DataFormatError(f"cannot read CSV: {exc}", file=file) from exc
    out = []
    for i, row in enumerate(rows):
        line = i + 2
        if None in row or any(row.get(c) is None for c in REQUIRED):
            raise DataFormatError("wrong number of fields", file=file, line=line)
        season = _int(row["season"], file, line, "season")
        week = _int(row["week"], file, line, "week")
        stype = row["season_type"].strip()
        if stype not in SEASON_TYPES:
            raise DataFormatError(f"expected one of {', '.join(SEASON_TYPES)}", file=file,
                                  line=line, column="season_type", value=stype)
        flag = row["neutral_site"].strip().lower()
        if flag and flag not in TRUE + FALSE:
            raise DataFormatError("expected true/false or empty", file=file, line=line,
                                  column="neutral_site", value=row["neutral_site"])
        for col in ("home_team", "away_team"):
            if not row[col].strip():
                raise DataFormatError("team name is empty", file=file, line=line, column=col)
        neutral = None if not flag else flag in TRUE
        out.append(FileGame(line, row["game_id"].strip(), PredictionRequest(
            row["home_team"].strip(), row["away_team"].strip(), season, week, neutral, stype)))
    return out


def predict_file(dataset: Dataset, predictor: Predictor, in_path: Path | str,
                 out_path: Path | str) -> dict[str, object]:
    """Predict every row of ``in_path`` into ``out_path`` (CSV); returns a summary."""
    del dataset  # the predictor's feature store holds the data; kept for the CLI's signature
    src, dst = Path(in_path), Path(out_path)
    games = read_games(src)
    store = predictor.features
    errors: dict[int, str] = {}
    valid: list[int] = []
    for i, game in enumerate(games):
        try:
            if store is not None:
                r = game.request
                store.require_team(r.home)
                store.require_team(r.away)
                store.snapshot(r.season, r.week, r.season_type)
            valid.append(i)
        except CallerError as exc:
            errors[i] = exc.detail
    preds = dict(zip(valid, predictor.predict_many([games[i].request for i in valid]),
                     strict=True))
    # the predictor's own models, ensemble last (read off its answers: no bundle needed)
    first = next(iter(preds.values()), None)
    names = ([n for n in first.models if n != ENSEMBLE] + [ENSEMBLE] if first is not None
             else [ENSEMBLE])
    header = ["game_id", "home_team", "away_team", "pred_margin", "home_win_prob",
              *(f"margin_{n}" for n in names), "error"]
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i, game in enumerate(games):
            p = preds.get(i)
            base = [game.game_id, game.request.home, game.request.away]
            if p is None:
                writer.writerow(base + [""] * (len(header) - 4) + [errors.get(i, "")])
                continue
            writer.writerow([*base, f"{p.margin:.2f}", f"{p.home_win_prob:.4f}",
                             *(f"{p.models[n].margin:.2f}" for n in names), ""])
    os.replace(tmp, dst)
    return {"input": str(src), "output": str(dst), "rows": len(games),
            "predicted": len(preds), "errors": len(errors),
            "model_version": predictor.model_version}
