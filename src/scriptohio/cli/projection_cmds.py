"""``project``: the rest of a season simulated, as a table (or JSON with ``--json``)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from scriptohio.cli import context
from scriptohio.cli.output import emit_json, errors_to_exit
from scriptohio.models.simulation import DEFAULT_SIMULATIONS


def _table(answer: dict[str, Any], top: int) -> None:
    from rich.console import Console
    from rich.table import Table

    where = f" — {answer['conference']}" if answer.get("conference") else ""
    table = Table(title=f"{answer['season']} projections from {answer['as_of']}{where} "
                        f"({answer['simulations']:,} simulations)")
    for name, justify in (("#", "right"), ("team", "left"), ("conference", "left"),
                          ("record", "right"), ("exp. wins", "right"), ("bowl", "right"),
                          ("conf. title", "right"), ("playoff", "right"),
                          ("title", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for i, t in enumerate(answer["teams"][:top], start=1):
        table.add_row(str(i), t["team"], t["conference"] or "", t["record"],
                      f"{t['expected_wins']:.1f}", f"{t['p_bowl_eligible']:.0%}",
                      f"{t['p_conference_title']:.1%}", f"{t['p_playoff']:.1%}",
                      f"{t['p_national_title']:.1%}")
    Console(width=None if sys.stdout.isatty() else 120).print(table)


def register(app: typer.Typer) -> None:
    @app.command("project")
    def project(
        season: Annotated[int | None, typer.Option(help="Season (default: current)")] = None,
        week: Annotated[int | None, typer.Option(
            help="Simulate from before this week (default: the next slate)")] = None,
        conference: Annotated[str | None, typer.Option(help="Only this conference")] = None,
        simulations: Annotated[int, typer.Option(help="Simulated seasons (100..100000)")]
        = DEFAULT_SIMULATIONS,
        top: Annotated[int, typer.Option(help="Rows in the table")] = 25,
        as_json: Annotated[bool, typer.Option("--json", help="The whole answer as JSON")]
        = False,
    ) -> None:
        """Season projections: expected wins, bowl eligibility, conference title, playoff and
        national title probabilities from simulated seasons."""
        from scriptohio.agents.projections import season_projection

        with errors_to_exit():
            answer = season_projection(context.analytics(), season=season, week=week,
                                       conference=conference, simulations=simulations)
            if as_json:
                emit_json(answer)
            else:
                _table(answer, top)
