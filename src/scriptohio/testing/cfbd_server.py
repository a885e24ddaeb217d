"""A local stand-in for CollegeFootballData.com: a real HTTP server on loopback.

It answers the endpoints a pull uses (``/games``, ``/lines``, ``/games/teams``,
``/stats/game/advanced``, ``/talent``) with JSON in CFBD's documented shapes, built from a
:class:`~scriptohio.data.dataset.Dataset`; every record is checked against the ``cfbd``
client's own models before it is served, so what passes here is what the client accepts.

Knobs for tests: :meth:`FakeCfbd.fail` (an HTTP status, optionally with ``Retry-After``),
:meth:`FakeCfbd.slow` (answer after a delay), :meth:`FakeCfbd.malformed` (a body the client
cannot read), :meth:`FakeCfbd.set_score`, :meth:`FakeCfbd.move`, :meth:`FakeCfbd.rename`,
:meth:`FakeCfbd.add_game`. With ``synthesize_scores=True`` games without a score in the data
(the 2025 hold-out) are served as completed with a **made-up** score: the market's expected
margin and total plus seeded noise, so the figures built on them are plumbing, not football.

Like the real API (an Express application), every 200 carries a weak ``ETag`` of its body, and a
request whose ``If-None-Match`` names the current one gets ``304 Not Modified`` with no body
(``etags=False`` serves none; :attr:`FakeCfbd.not_modified` counts the 304s and
:attr:`FakeCfbd.body_bytes` the body bytes sent).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scriptohio.data.cfbd.client import import_cfbd
from scriptohio.data.cfbd.mapping import BOX_NUMBERS, BOX_PAIRS
from scriptohio.data.dataset import Dataset

__all__ = ["FakeCfbd"]

Json = dict[str, Any]
CLASSIFICATION = {"fbs": "fbs", "fcs": "fcs", "other": "ii"}
PROVIDERS = (("Bovada", 0.5), ("DraftKings", 0.0), ("ESPN Bet", -0.5))


@dataclass(slots=True)
class _Fault:
    path: str
    status: int = 200
    retry_after: str | None = None
    delay_s: float = 0.0
    body: bytes | None = None


def _value(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _camel(snake: str) -> str:
    if snake == "total_ppa":
        return "totalPPA"
    head, *rest = snake.split("_")
    return head + "".join(p.title() for p in rest)


class FakeCfbd:
    """``with FakeCfbd(dataset) as server: ... server.url ...``"""

    def __init__(self, dataset: Dataset, *, api_key: str = "test-key",
                 synthesize_scores: bool = False, seed: int = 15, etags: bool = True) -> None:
        self.dataset = dataset
        self.etags = etags
        self.not_modified = 0
        self.body_bytes = 0
        self.api_key = api_key
        self.synthesize_scores = synthesize_scores
        self.seed = seed
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.authorizations: list[str] = []
        self._faults: deque[_Fault] = deque()
        self._scores: dict[int, tuple[int, int]] = {}
        self._weeks: dict[int, int] = {}
        self._names: dict[int, str] = {}
        self._extra: list[Json] = []
        self._lock = threading.Lock()
        self._cfbd = import_cfbd()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeCfbd:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="fake-cfbd",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeCfbd:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs -------------------------------------------------------------------------------

    def fail(self, path: str, status: int, *, times: int = 1,
             retry_after: str | None = None) -> None:
        """The next ``times`` requests to ``path`` answer ``status``."""
        with self._lock:
            self._faults.extend(_Fault(path, status, retry_after) for _ in range(times))

    def slow(self, path: str, seconds: float, *, times: int = 1) -> None:
        with self._lock:
            self._faults.extend(_Fault(path, delay_s=seconds) for _ in range(times))

    def malformed(self, path: str, body: bytes, *, times: int = 1) -> None:
        with self._lock:
            self._faults.extend(_Fault(path, body=body) for _ in range(times))

    def set_score(self, game_id: int, home: int, away: int) -> None:
        self._scores[game_id] = (home, away)

    def move(self, game_id: int, week: int) -> None:
        self._weeks[game_id] = week

    def rename(self, team_id: int, name: str) -> None:
        """CFBD now calls the team with this id ``name``."""
        self._names[team_id] = name

    def add_game(self, game: Json) -> None:
        """An extra CFBD game record (e.g. with a team our data does not know)."""
        self._extra.append(game)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending_faults(self) -> int:
        with self._lock:
            return len(self._faults)

    # -- records -----------------------------------------------------------------------------

    def _game_indices(self, year: int, season_type: str | None, week: int | None
                      ) -> Iterator[int]:
        c = self.dataset.games.cols
        for i in range(len(c["game_id"])):
            gid = int(c["game_id"][i])
            if int(c["season"][i]) != year:
                continue
            if season_type not in (None, "both") and c["season_type"][i] != season_type:
                continue
            if week is not None and self._weeks.get(gid, int(c["week"][i])) != week:
                continue
            yield i

    def _score(self, i: int) -> tuple[int, int] | None:
        c = self.dataset.games.cols
        gid = int(c["game_id"][i])
        if gid in self._scores:
            return self._scores[gid]
        home, away = _value(c["home_points"][i]), _value(c["away_points"][i])
        if home is not None and away is not None:
            return int(home), int(away)
        if not self.synthesize_scores:
            return None
        rng = random.Random(self.seed * 1_000_003 + gid)
        spread = _value(c["spread"][i])
        total = _value(c["over_under"][i]) or 52.0
        margin = -(spread or 0.0) + rng.gauss(0.0, 13.0)
        points = max(10.0, total + rng.gauss(0.0, 12.0))
        h, a = round((points + margin) / 2), round((points - margin) / 2)
        h, a = max(0, h), max(0, a)
        if h == a:
            h += 3
        return h, a

    def _team(self, i: int, side: str) -> tuple[int, str]:
        c = self.dataset.games.cols
        raw = _value(c[f"{side}_id"][i])
        name = str(c[f"{side}_team"][i])
        team_id = int(raw) if raw is not None else 900_000 + sum(map(ord, name))
        return team_id, self._names.get(team_id, name)

    def game_json(self, i: int) -> Json:
        c = self.dataset.games.cols
        gid = int(c["game_id"][i])
        start = c["start_date"][i] or f"{c['game_date'][i]}T17:00:00Z"
        score = self._score(i)
        out: Json = {
            "id": gid, "season": int(c["season"][i]),
            "week": self._weeks.get(gid, int(c["week"][i])),
            "seasonType": str(c["season_type"][i]), "startDate": start,
            "startTimeTBD": False, "completed": score is not None,
            "neutralSite": bool(_value(c["neutral_site"][i]) or False),
            "conferenceGame": bool(_value(c["conference_game"][i]) or False),
            "attendance": None, "venueId": None, "venue": None,
            "excitementIndex": None, "highlights": None, "notes": None,
        }
        for n, side in enumerate(("home", "away")):
            team_id, name = self._team(i, side)
            out |= {
                f"{side}Id": team_id, f"{side}Team": name,
                f"{side}Conference": c[f"{side}_conference"][i],
                f"{side}Classification": CLASSIFICATION.get(str(c[f"{side}_division"][i])),
                f"{side}Points": None if score is None else score[n],
                f"{side}LineScores": None, f"{side}PostgameWinProbability": None,
                f"{side}PregameElo": None, f"{side}PostgameElo": None,
            }
        if "playoff" in self._cfbd.Game.__fields__:
            out["playoff"] = None
        return out

    def lines_json(self, i: int) -> Json | None:
        c = self.dataset.games.cols
        spread, total = _value(c["spread"][i]), _value(c["over_under"][i])
        if spread is None:
            return None
        game = self.game_json(i)
        lines = []
        for provider, shift in PROVIDERS:
            s = float(spread) + shift
            fav = game["homeTeam"] if s <= 0 else game["awayTeam"]
            favourite_ml = -110 - round(abs(s) * 22)
            dog_ml = 100 + round(abs(s) * 20)
            lines.append({
                "provider": provider, "spread": s, "formattedSpread": f"{fav} -{abs(s):g}",
                "spreadOpen": s + 1.0,
                "overUnder": None if total is None else float(total) + shift,
                "overUnderOpen": None if total is None else float(total) - 1.0,
                "homeMoneyline": favourite_ml if s <= 0 else dog_ml,
                "awayMoneyline": dog_ml if s <= 0 else favourite_ml,
            })
        return {
            "id": game["id"], "season": game["season"], "seasonType": game["seasonType"],
            "week": game["week"], "startDate": game["startDate"],
            "homeTeamId": game["homeId"], "homeTeam": game["homeTeam"],
            "homeConference": game["homeConference"],
            "homeClassification": game["homeClassification"], "homeScore": game["homePoints"],
            "awayTeamId": game["awayId"], "awayTeam": game["awayTeam"],
            "awayConference": game["awayConference"],
            "awayClassification": game["awayClassification"], "awayScore": game["awayPoints"],
            "lines": lines,
        }

    def _team_game(self, gid: int, name: str) -> dict[str, Any] | None:
        tg = self.dataset.team_games
        row = tg.row_of(gid, name)
        if row is None:
            return None
        return {k: _value(v[row]) for k, v in tg.cols.items()}

    def team_stats_json(self, i: int) -> Json | None:
        gid = int(self.dataset.games.cols["game_id"][i])
        game = self.game_json(i)
        teams = []
        for side in ("home", "away"):
            name = str(self.dataset.games.cols[f"{side}_team"][i])
            row = self._team_game(gid, name)
            if row is None or not row.get("has_box_score"):
                return None
            stats = [{"category": cat, "stat": str(row[col])}
                     for cat, col in BOX_NUMBERS.items() if row.get(col) is not None]
            stats += [{"category": cat, "stat": f"{row[a]}-{row[b]}"}
                      for cat, (a, b) in BOX_PAIRS.items()
                      if row.get(a) is not None and row.get(b) is not None]
            if row.get("possession_time_sec") is not None:
                sec = int(row["possession_time_sec"])
                stats.append({"category": "possessionTime", "stat": f"{sec // 60}:{sec % 60:02d}"})
            teams.append({"teamId": game[f"{side}Id"], "team": game[f"{side}Team"],
                          "conference": game[f"{side}Conference"], "homeAway": side,
                          "points": game[f"{side}Points"], "stats": stats})
        return {"id": gid, "teams": teams}

    def advanced_json(self, i: int) -> list[Json]:
        gid = int(self.dataset.games.cols["game_id"][i])
        game = self.game_json(i)
        out = []
        for side, other in (("home", "away"), ("away", "home")):
            name = str(self.dataset.games.cols[f"{side}_team"][i])
            row = self._team_game(gid, name)
            if row is None or not row.get("has_advanced"):
                continue
            record: Json = {"gameId": gid, "season": game["season"],
                            "seasonType": game["seasonType"], "week": game["week"],
                            "team": game[f"{side}Team"], "opponent": game[f"{other}Team"]}
            for unit in ("offense", "defense"):
                nested: Json = {}
                for key, value in row.items():
                    if not key.startswith(unit + "_"):
                        continue
                    rest = key[len(unit) + 1:]
                    for group in ("passing_plays", "rushing_plays", "passing_downs",
                                  "standard_downs"):
                        if rest.startswith(group + "_"):
                            inner = nested.setdefault(_camel(group), {})
                            inner[_camel(rest[len(group) + 1:])] = value
                            break
                    else:
                        nested[_camel(rest)] = value
                record[unit] = nested
            try:  # the client's own model decides what it accepts
                self._cfbd.AdvancedGameStat.from_dict(record)
            except Exception:
                continue
            out.append(record)
        return out

    def talent_json(self, year: int) -> list[Json]:
        c = self.dataset.talent.cols
        return [{"year": year, "team": str(t), "talent": float(v)}
                for s, t, v in zip(c["season"].tolist(), c["team"].tolist(),
                                   c["talent"].tolist(), strict=True) if s == year]

    def answer(self, path: str, query: dict[str, str]) -> list[Json]:
        """The JSON body CFBD would send for ``path?query``."""
        year = int(query["year"])
        week = int(query["week"]) if "week" in query else None
        season_type = query.get("seasonType", "regular")
        if path == "/talent":
            return self.talent_json(year)
        rows = list(self._game_indices(year, season_type, week))
        if path == "/games":
            extra = [g for g in self._extra if g["season"] == year
                     and g["seasonType"] == season_type and week in (None, g["week"])]
            return [self.game_json(i) for i in rows] + extra
        if path == "/lines":
            return [j for j in (self.lines_json(i) for i in rows) if j is not None]
        if path == "/games/teams":
            return [j for j in (self.team_stats_json(i) for i in rows) if j is not None]
        if path == "/stats/game/advanced":
            return [r for i in rows for r in self.advanced_json(i)]
        raise KeyError(path)

    # -- HTTP --------------------------------------------------------------------------------

    def _next_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path == path:
                    self._faults.remove(fault)
                    return fault
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                fake.requests.append((parts.path, query))
                fake.authorizations.append(self.headers.get("Authorization", ""))
                if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    return self._send(401, b'{"message":"Unauthorized"}')
                fault = fake._next_fault(parts.path)
                if fault is not None and fault.delay_s:
                    time.sleep(fault.delay_s)
                if fault is not None and fault.status != 200:
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    return self._send(fault.status, b'{"message":"try later"}', headers)
                if fault is not None and fault.body is not None:
                    return self._send(200, fault.body)
                try:
                    body = json.dumps(fake.answer(parts.path, query)).encode()
                except KeyError:
                    return self._send(404, b'{"message":"Not found"}')
                except (ValueError, TypeError) as exc:
                    return self._send(400, json.dumps({"message": str(exc)}).encode())
                if not fake.etags:
                    return self._send(200, body)
                tag = weak_etag(body)
                asked = [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]
                if tag in asked or "*" in asked:
                    with fake._lock:
                        fake.not_modified += 1
                    return self._send(304, b"", {"ETag": tag})
                self._send(200, body, {"ETag": tag})

            def _send(self, status: int, body: bytes,
                      headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    if status != 304:  # a 304 has no body to describe
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                    with fake._lock:
                        fake.body_bytes += len(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

        return Handler


def weak_etag(body: bytes) -> str:
    """An ETag in the form Express sends: ``W/"<length hex>-<sha1 base64, 27 chars>"``."""
    digest = base64.b64encode(hashlib.sha1(body).digest()).decode()[:27]
    return f'W/"{len(body):x}-{digest}"'
