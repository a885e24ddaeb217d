"""Repeat cached GETs answered by the memo middleware: same answer, still limited and counted."""

from __future__ import annotations

from starlette.types import Scope

from scriptohio.api.middleware.answer_memo import AnswerMemo
from scriptohio.api.recipes import Recipe
from tests.api.conftest import AppClient

THE_GAME = {"home": "Ohio State", "away": "Michigan", "season": 2024, "week": 14}


def _memo_of(client: object) -> AnswerMemo:
    memo: AnswerMemo = client.app.state.service.answer_memo  # type: ignore[attr-defined]
    return memo


async def test_a_repeat_gets_the_routes_bytes_and_headers(app_client: AppClient) -> None:
    async with app_client() as client:
        memo = _memo_of(client)
        first = await client.get("/v1/predict", params=THE_GAME)
        # an alias is a query the memo has not seen: a cache hit through the route
        routed = await client.get("/v1/predict", params={**THE_GAME, "home": "tOSU"})
        assert (first.headers["x-cache"], routed.headers["x-cache"], memo.served) == (
            "miss", "hit-l1", 0)
        again = await client.get("/v1/predict", params=THE_GAME)
        assert memo.served == 1
        assert again.status_code == 200 and again.content == routed.content == first.content
        for name in ("x-cache", "content-type", "content-length", "ratelimit-limit"):
            assert again.headers[name] == routed.headers[name], name
        # other routes and parameters are memoised the same way
        for path, params in (("/v1/games", {"season": 2024, "week": 14}),
                             ("/v1/teams/Ohio State", {"season": 2024}),
                             ("/v1/rankings", {"season": 2024, "week": 14})):
            want = (await client.get(path, params=params)).content
            served = memo.served
            got = await client.get(path, params=params)
            assert (got.content, memo.served) == (want, served + 1), path


async def test_roles_are_memoised_apart(app_client: AppClient) -> None:
    async with app_client() as client:
        bodies = {}
        for role in ("production", "data_scientist", "production", "data_scientist"):
            r = await client.get("/v1/predict", params=THE_GAME, headers={"X-Role": role})
            bodies.setdefault(role, set()).add(r.content)
        assert _memo_of(client).served == 2
        assert all(len(b) == 1 for b in bodies.values())
        assert bodies["production"] != bodies["data_scientist"]


async def test_memoised_requests_are_still_rate_limited_and_counted(
    app_client: AppClient,
) -> None:
    async with app_client(rate_limit="4/minute") as client:
        codes = [(await client.get("/v1/predict", params=THE_GAME,
                                   headers={"X-User-Id": "carol"})).status_code
                 for _ in range(6)]
        assert codes == [200, 200, 200, 200, 429, 429]
        assert _memo_of(client).served == 3  # the three after the first; the limit came first
        metrics = (await client.get("/metrics")).text
        line = next(x for x in metrics.splitlines() if x.startswith(
            'scriptohio_http_requests_total{route="/v1/predict",method="GET",status="200"}'))
        assert float(line.rsplit(" ", 1)[1]) == 4.0


async def test_an_invalidated_answer_goes_back_through_the_route(app_client: AppClient) -> None:
    async with app_client() as client:
        memo = _memo_of(client)
        for _ in range(3):
            await client.get("/v1/predict", params=THE_GAME)
        assert memo.served == 2
        await client.app.state.service.cache.clear()  # type: ignore[attr-defined]
        r = await client.get("/v1/predict", params=THE_GAME)
        assert r.status_code == 200 and r.headers["x-cache"] == "miss" and memo.served == 2


async def test_bad_input_is_never_memoised(app_client: AppClient) -> None:
    async with app_client() as client:
        bad = {**THE_GAME, "home": "Nowhere State"}
        codes = [(await client.get("/v1/predict", params=bad)).status_code for _ in range(3)]
        assert codes == [404, 404, 404] or codes == [422, 422, 422], codes
        assert len(_memo_of(client)) == 0 and _memo_of(client).served == 0


def test_a_new_context_empties_the_memo_and_the_bound_holds() -> None:
    memo = AnswerMemo(max_entries=3)
    recipe = Recipe("predict", {"home": "A"}, "casual", ("t",))
    old_ctx, new_ctx = object(), object()
    for i in range(5):
        scope: Scope = {"path": "/v1/predict", "query_string": f"q={i}".encode()}
        memo.remember(old_ctx, scope, "casual", recipe, f"k{i}")
    assert len(memo) == 3 and memo.find(old_ctx, "/v1/predict", b"q=0", "casual") is None
    assert memo.find(old_ctx, "/v1/predict", b"q=4", "casual") == (None, recipe, "k4", ())
    # headers the route added are kept, ready to send
    memo.remember(old_ctx, scope, "casual", recipe, "k4",
                  headers={"X-Team-Corrections": "michgan=Michigan"})
    assert memo.find(old_ctx, "/v1/predict", b"q=4", "casual") == (
        None, recipe, "k4", ((b"x-team-corrections", b"michgan=Michigan"),))
    assert memo.find(old_ctx, "/v1/predict", b"q=4", "production") is None
    assert memo.find(new_ctx, "/v1/predict", b"q=4", "casual") is None
    memo.remember(new_ctx, {"path": "/v1/games", "query_string": b""}, "casual", recipe, "g")
    assert len(memo) == 1


async def test_an_answer_computed_across_a_data_swap_is_not_memoised_or_cached(
    app_client: AppClient,
) -> None:
    """The memo must map a query to what the route resolves it to *now*, and the cache must
    not keep an answer computed from a context that was swapped out meanwhile (an ingest
    landing): it is answered, then left to be computed again from the new context."""
    from scriptohio.agents.context import AnalyticsContext, WeekRef

    # no game between them: a hypothetical in the default (current) week
    current_slate = {"home": "Ohio State", "away": "Stanford"}
    async with app_client() as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        before = service.holder.get()
        after = AnalyticsContext(before.dataset, before.features, before.predictor)
        # the new data's current week is an earlier one, as the route would now resolve it
        after.__dict__["current"] = WeekRef(before.current.season,
                                            (before.current.week or 2) - 1)
        compute = service.answers.compute
        computed: list[str] = []

        async def compute_then_swap(recipe: Recipe) -> bytes:
            body: bytes = await compute(recipe)
            computed.append(recipe.key)
            service.holder.swap(after)
            return body

        service.answers.compute = compute_then_swap
        first = await client.get("/v1/predict", params=current_slate)
        service.answers.compute = compute
        assert first.status_code == 200 and first.json()["week"] == before.current.week
        assert len(service.answer_memo) == 0
        assert service.cache.fresh_local(computed[0]) is None  # answered, not stored
        again = await client.get("/v1/predict", params=current_slate)
        routed = await client.get("/v1/predict", params={**current_slate, "home": "tOSU"})
        assert again.json()["week"] == routed.json()["week"] == after.current.week
        assert again.headers["x-cache"] == "miss"


async def test_only_answers_the_memo_serves_are_counted_by_it(app_client: AppClient) -> None:
    async with app_client() as client:
        service = client.app.state.service  # type: ignore[attr-defined]
        stats = service.cache.manager.local.stats
        for _ in range(2):
            await client.get("/v1/predict", params=THE_GAME)
        await service.cache.clear()
        misses = stats.misses
        r = await client.get("/v1/predict", params=THE_GAME)  # memo'd query, entry gone
        assert r.headers["x-cache"] == "miss" and stats.misses == misses + 1
        key = next(iter(service.answer_memo._entries.values()))[2]
        service.cache.manager.local.l1.peek(key).fresh_until = 0.0  # past its freshness
        stale = stats.hits["stale"]
        r = await client.get("/v1/predict", params=THE_GAME)
        assert r.headers["x-cache"] == "stale" and stats.hits["stale"] == stale + 1


async def test_padded_queries_are_not_remembered(app_client: AppClient) -> None:
    async with app_client() as client:
        padded = {**THE_GAME, "pad": "x" * 2000}  # ignored by the route, same answer
        for _ in range(3):
            assert (await client.get("/v1/predict", params=padded)).status_code == 200
        assert len(_memo_of(client)) == 0 and _memo_of(client).served == 0
