"""The steps of each workflow. Each takes its parameters and a progress callback.

* ``backtest`` (CPU-heavy, runs in a process-pool worker): walk-forward evaluation of the
  models over one season — trained only on the seasons before it, each week predicted with the
  data known before it — against the market and Elo-only.
* ``batch_predict``: CSV in (games.csv schema), CSV out (the ``predict-file`` format).
* ``grade_picks`` (CPU-heavy: fits the baselines and the ensemble, a process-pool worker): a
  user's picks CSV graded against the market, Elo only and the ensemble
  (:mod:`scriptohio.models.picks`); report files as artefacts.
* ``weekly_report`` (in the service process): ingest new results if given → update features
  → predict the next slate → rankings → a Markdown report.

Results name no server paths: they go to API clients. A backtest's report files stay in
:func:`report_dir` and its result lists them by name (``artefacts``) for the API to serve.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scriptohio.agents.context import AnalyticsContext
from scriptohio.agents.insight.rankings import rankings
from scriptohio.agents.predict import week_games
from scriptohio.agents.workflow.job_stores import open_job_store
from scriptohio.agents.workflow.jobs import JobStore, JobStoreAddress, report_dir
from scriptohio.errors import DataFormatError, ValidationError

if TYPE_CHECKING:
    from scriptohio.data.dataset import Dataset

Progress = Callable[[float, str], None]
#: What a malformed batch file is called in errors: the request field it came in.
BATCH_INPUT_NAME = "csv"


def _job_dataset(jobs: JobStore, job_id: str, data_dir: str, state_dir: str) -> Dataset:
    """The data with what was ingested, loaded afresh by a process-pool job (step one)."""
    from scriptohio.data.dataset import load_dataset
    from scriptohio.data.store import StateStore

    jobs.progress(job_id, 0.05, "load data")
    store = StateStore(Path(state_dir))
    try:
        return load_dataset(Path(data_dir), store)
    finally:
        store.close()


def run_backtest_job(job_id: str, jobs_store: JobStoreAddress, data_dir: str, state_dir: str,
                     season: int) -> dict[str, Any]:
    """Process-pool entry point: loads everything itself and reports progress to the job
    store (the service's SQLite file, or its Redis)."""
    from scriptohio.models.evaluate import evaluate

    jobs = open_job_store(jobs_store)
    try:
        dataset = _job_dataset(jobs, job_id, data_dir, state_dir)
        report = evaluate(dataset, report_dir(state_dir, job_id), train_through=season - 1,
                          test=[season],
                          progress=lambda stage, f: jobs.progress(job_id, 0.1 + 0.85 * f, stage))
        files: dict[str, str] = report.pop("files")  # type: ignore[assignment]
        return {"season": season, "metrics": report,
                "artefacts": sorted(Path(path).name for path in files.values())}
    finally:
        jobs.close()


def run_grade_picks_job(job_id: str, jobs_store: JobStoreAddress, data_dir: str,
                        state_dir: str, csv: str,
                        train_through: int | None = None) -> dict[str, Any]:
    """Process-pool entry point of ``grade_picks`` (see :func:`run_backtest_job`)."""
    from scriptohio.models.pick_report import write_pick_report
    from scriptohio.models.picks import grade_picks

    if not csv.strip():
        raise ValidationError("csv must hold the picks (game_id or home_team/away_team/"
                              "game_date, and margin and/or home_win_prob)")
    jobs = open_job_store(jobs_store)
    try:
        dataset = _job_dataset(jobs, job_id, data_dir, state_dir)
        out = report_dir(state_dir, job_id)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / BATCH_INPUT_NAME
            src.write_text(csv)
            jobs.progress(job_id, 0.2, "fit the baselines and the ensemble, grade")
            try:
                report = grade_picks(dataset, src, train_through=train_through)
            except DataFormatError as exc:  # name the upload, not the temporary file
                raise DataFormatError(exc.reason, file=BATCH_INPUT_NAME, line=exc.line,
                                      column=exc.column, value=exc.value) from exc
        jobs.progress(job_id, 0.9, "report")
        files = write_pick_report(report, out)
        return {"grade": report, "artefacts": sorted(Path(f).name for f in files.values()
                                                     if Path(f).is_file())}
    finally:
        jobs.close()


def batch_predict(ctx: AnalyticsContext, csv_text: str, progress: Progress) -> dict[str, Any]:
    from scriptohio.models.predict_file import predict_file

    if not csv_text.strip():
        raise ValidationError("csv must hold rows in the games.csv schema")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "games.csv", Path(tmp) / "predictions.csv"
        src.write_text(csv_text)
        progress(0.2, "predict")
        try:
            summary = predict_file(ctx.dataset, ctx.predictor, src, dst)
        except DataFormatError as exc:  # it names the temporary file: name the upload instead
            raise DataFormatError(exc.reason.replace(str(src), BATCH_INPUT_NAME),
                                  file=BATCH_INPUT_NAME, line=exc.line, column=exc.column,
                                  value=exc.value) from exc
        del summary["input"], summary["output"]  # temporary files, gone when this returns
        return {"summary": summary, "csv": dst.read_text()}


def weekly_report(ctx: AnalyticsContext, season: int | None, week: int | None,
                  progress: Progress) -> dict[str, Any]:
    progress(0.5, "predict the slate")
    slate = week_games(ctx, season=season, week=week)
    progress(0.7, "rankings")
    table = rankings(ctx, season=slate["season"], week=slate["week"], limit=25)
    progress(0.9, "report")
    lines = [f"# Weekly report: {slate['season']} week {slate['week']}", "",
             f"Data version {ctx.data_version}, model {ctx.predictor.model_version}.", "",
             "## Top 25 (ensemble rating)", "", "| # | team | record | rating |",
             "|---|---|---|---|"]
    lines += [f"| {t['rank']} | {t['team']} | {t['record']} | {t['rating']:+.1f} |"
              for t in table["teams"]]
    lines += ["", "## Predictions", "", "| game | pick | margin | win prob | market |",
              "|---|---|---|---|---|"]
    for g in slate["games"]:
        p = g["prediction"]
        market = "" if g["market"] is None else f"{-g['market']['spread']:+.1f}"
        lines.append(f"| {g['away']} at {g['home']} | {p['winner']} | {p['margin']:+.1f} | "
                     f"{p['home_win_prob']:.2f} | {market} |")
    return {"season": slate["season"], "week": slate["week"], "games": slate["count"],
            "markdown": "\n".join(lines)}


def backtest_handler(request: Any) -> dict[str, Any]:
    """Module-level (picklable) handler for a process-pool worker: ``request.payload`` holds
    the :func:`run_backtest_job` arguments."""
    return run_backtest_job(**request.payload)


def grade_picks_handler(request: Any) -> dict[str, Any]:
    """Module-level (picklable) handler of ``grade_picks`` for a process-pool worker."""
    return run_grade_picks_job(**request.payload)
