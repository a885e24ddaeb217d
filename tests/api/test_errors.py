"""Every error path answers problem+json with a useful message, never a stack trace."""

from __future__ import annotations

import pytest

from tests.api.conftest import AppClient

CASES = [
    ("/v1/predict?home=Ohio%20Sta&away=Michigan", 404, "suggestions", "Ohio State"),
    ("/v1/predict?home=OSU&away=Michigan", 409, "candidates", "Oklahoma State"),
    ("/v1/predict?home=Ohio%20State&away=Michigan&season=1999", 422, "valid_range", 2004),
    ("/v1/predict?home=Ohio%20State&away=Michigan&season=2024&week=22", 422, "detail", "week"),
    # a week no season has is out of range (the schema says so too); one that only this
    # season lacks is a week that does not exist: 404 with the season's weeks
    ("/v1/games?season=2004&week=17", 404, "valid_range", 15),
    ("/v1/rankings?season=2004&week=17", 404, "detail", "2004 has no regular week 17"),
    ("/v1/predict?home=Ohio%20State&away=Michigan&week=banana", 422, "detail", "week"),
    ("/v1/predict?home=Ohio%20State", 422, "detail", "away"),
    ("/v1/predict?home=Ohio%20State&away=tOSU", 422, "detail", "different teams"),
    ("/v1/teams/Nowhere%20Tech", 404, "detail", "unknown team"),
    ("/v1/rankings?method=vibes", 422, "detail", "method"),
    ("/v1/rankings?season=2024&conference=Big%20Twelve", 404, "detail", "conference"),
    ("/v1/matchup?home=Ohio%20State&away=Michigan&season=2030", 422, "valid_range", 2025),
    ("/v1/compare?teams=Oregon", 422, "detail", "teams"),
]


@pytest.mark.parametrize(("url", "status", "field", "expected"), CASES)
async def test_error_answers(app_client: AppClient, url: str, status: int, field: str,
                             expected: object) -> None:
    async with app_client() as client:
        r = await client.get(url)
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
        assert "Traceback" not in r.text
        value = body[field]
        assert expected in value if isinstance(value, list | str) else value == expected


async def test_bad_role_header(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        r = await client.get("/v1/rankings", headers={"X-Role": "wizard"})
        assert r.status_code == 422 and "X-Role" in r.json()["detail"]


async def test_openapi_documents_the_error_responses(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        spec = (await client.get("/openapi.json")).json()
        for path in ("/v1/predict", "/v1/games", "/v1/rankings", "/v1/matchup"):
            responses = spec["paths"][path]["get"]["responses"]
            assert {"200", "404", "422", "429", "503"} <= set(responses), path


async def test_405_names_the_allowed_methods(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        r = await client.delete("/v1/rankings")
        assert r.status_code == 405 and r.headers["allow"] == "GET"
        assert r.headers["content-type"] == "application/problem+json"


async def test_a_chunked_body_over_the_limit_gets_413(tiny_client: AppClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(6):
            yield b"x" * (1024 * 1024)

    async with tiny_client() as client:
        r = await client.post("/v1/ask", content=chunks(),
                              headers={"content-type": "application/json"})
        assert r.status_code == 413 and r.json()["status"] == 413


async def test_the_openapi_bounds_are_the_datas(tiny_client: AppClient) -> None:
    async with tiny_client() as client:
        spec = (await client.get("/openapi.json")).json()
        params = {p["name"]: p for p in spec["paths"]["/v1/predict"]["get"]["parameters"]}
        season = next(o for o in params["season"]["schema"]["anyOf"] if o.get("type"))
        assert (season["minimum"], season["maximum"]) == (2023, 2023)  # the league's one season
        week = next(o for o in params["week"]["schema"]["anyOf"] if o.get("type"))
        assert (week["minimum"], week["maximum"]) == (1, 7)
        inside = await client.get("/v1/predict", params={"home": "Alpha", "away": "Bravo",
                                                        "season": 2023, "week": 7})
        assert inside.status_code == 200, inside.text


@pytest.mark.parametrize(("body", "parameter", "message"), [
    # /v1/ask's body field is itself called "query": its name stays in the answer
    ({"question": "who won the 2024 title game?"}, "query", "Field required"),
    ({"query": 7}, "query", "string"),
    ([], "body", "dictionary"),  # a body that is not an object at all
])
async def test_body_errors_name_the_field(tiny_client: AppClient, body: object, parameter: str,
                                          message: str) -> None:
    async with tiny_client() as client:
        r = await client.post("/v1/ask", json=body)
        assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        first = r.json()["errors"][0]
        assert first["parameter"] == parameter, r.text
        assert message.lower() in first["message"].lower(), r.text
        assert r.json()["detail"].startswith(f"{parameter}: "), r.text
