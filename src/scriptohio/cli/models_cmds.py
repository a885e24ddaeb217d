"""``train``, ``evaluate``, ``predict`` and ``predict-file``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from scriptohio.cli import context
from scriptohio.cli.output import emit_json, errors_to_exit, fail
from scriptohio.data.paths import state_dir
from scriptohio.errors import ValidationError


def _through(value: str | None) -> tuple[int, int | None] | None:
    if value is None:
        return None
    m = re.fullmatch(r"(\d{4})(?::(\d{1,2}))?", value.strip())
    if m is None:
        raise ValidationError(f"--through must be SEASON or SEASON:WEEK, not {value!r}")
    return int(m[1]), int(m[2]) if m[2] else None


def _seasons(value: str) -> list[int]:
    try:
        return [int(s) for s in value.split(",") if s.strip()]
    except ValueError as exc:
        raise ValidationError(f"--test must be seasons separated by commas, not {value!r}") from exc


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        through: Annotated[str | None, typer.Option(help="Train on games through SEASON[:WEEK]")]
        = None,
        if_missing: Annotated[bool, typer.Option("--if-missing",
                                                 help="Do nothing if a model exists")] = False,
        candidate: Annotated[bool, typer.Option(
            "--candidate", help="Store it without making it the default: a version for "
                                "`scriptohio models canary start`")] = False,
    ) -> None:
        """Build features and train every model into the model registry (with progress)."""
        from scriptohio.models.registry import ModelRegistry
        from scriptohio.models.train import rich_progress
        from scriptohio.models.train import train as run_train

        with errors_to_exit():
            window = _through(through)
            sdir = state_dir(context.settings().state_dir)
            existing = ModelRegistry(sdir).latest_version()
            if if_missing and existing is not None:
                emit_json({"trained": False, "version": existing, "state_dir": str(sdir)})
                return
            dataset = context.dataset()
            with rich_progress("train") as progress:
                result = run_train(dataset, sdir, window, progress,
                                   make_default=not candidate)
            emit_json({"trained": True, "version": result.version, "default": not candidate,
                       "seconds": round(result.seconds, 1), "rows": result.rows,
                       "seasons": [result.first_season, result.last_season],
                       "validation_seasons": result.validation_seasons,
                       "validation_mae": result.validation_mae})

    @app.command("grade-picks")
    def grade_picks_cmd(
        picks: Annotated[Path, typer.Argument(help="CSV: game_id or home_team/away_team/"
                                               "game_date, and margin and/or home_win_prob")],
        train_through: Annotated[int | None, typer.Option(
            help="Last season the baselines and ensemble learn from (default: the season "
                 "before the first pick's); earlier picks are not graded")] = None,
        out: Annotated[Path, typer.Option(help="Report directory")] = Path("reports/picks"),
    ) -> None:
        """Grade your picks: MAE, Brier, winner and against-the-spread records against the
        market, Elo only and the ensemble on the same games (JSON + Markdown + PNG)."""
        from scriptohio.models.pick_report import write_pick_report
        from scriptohio.models.picks import grade_picks

        with errors_to_exit():
            report = grade_picks(context.dataset(), picks, train_through=train_through)
            files = write_pick_report(report, out)
            emit_json({**report, "files": files})

    @app.command("evaluate")
    def evaluate(
        train_through: Annotated[int, typer.Option(help="Last training season")],
        test: Annotated[str, typer.Option(help="Test seasons, e.g. 2024,2025")],
        out: Annotated[Path, typer.Option(help="Report directory")] = Path("reports/evaluation"),
    ) -> None:
        """Walk-forward evaluation against Elo-only and the market (JSON + Markdown + PNG)."""
        from scriptohio.models.evaluate import evaluate as run_evaluate
        from scriptohio.models.train import rich_progress

        with errors_to_exit():
            seasons = _seasons(test)
            dataset = context.dataset()
            with rich_progress("evaluate") as progress:
                report = run_evaluate(dataset, out, train_through=train_through, test=seasons,
                                      progress=progress)
            emit_json(report)

    @app.command("predict")
    def predict(
        home: Annotated[str, typer.Argument(help="Home team (name or alias)")],
        away: Annotated[str, typer.Argument(help="Away team (name or alias)")],
        season: Annotated[int | None, typer.Option(help="Season (default: current)")] = None,
        week: Annotated[int | None, typer.Option(help="Week (default: next slate)")] = None,
        neutral: Annotated[bool, typer.Option("--neutral", help="Neutral site")] = False,
        role: Annotated[str, typer.Option(help="casual|data_scientist|production")]
        = "data_scientist",
    ) -> None:
        """JSON prediction, the same body as GET /v1/predict."""
        from scriptohio.agents.predict import predict_one
        from scriptohio.agents.views import prediction_view

        with errors_to_exit():
            ctx = context.analytics()
            body = predict_one(ctx, home, away, season=season, week=week,
                               neutral=True if neutral else None,
                               explain=role == "data_scientist")
            emit_json(prediction_view(body, role))

    @app.command("predict-file")
    def predict_file(
        games: Annotated[Path, typer.Argument(help="CSV in the games.csv schema")],
        out: Annotated[Path, typer.Option("-o", "--out", help="Output CSV")],
    ) -> None:
        """Predict every row of a games file (each with only data known before kickoff)."""
        from scriptohio.models.predict_file import predict_file as run

        with errors_to_exit():
            if not games.is_file():
                raise fail(f"{games}: no such file")
            ctx = context.analytics()
            emit_json(run(ctx.dataset, ctx.predictor, games, out))
