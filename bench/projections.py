"""Season projections: 10,000 simulated seasons of the rest of 2025 from before week 10.

Figures (one core: BLAS and OpenMP pinned to one thread), medians of several runs:

1. the simulation alone (inputs built once): goal <= 1 s;
2. the whole projection on a fresh context (inputs: point-in-time features, the model's
   margins of the remaining games and of every neutral-site FBS pair, then the simulation);
3. through the service (in-process app, ``GET /v1/projections?season=2025&week=10``): the
   first call (computed) and later calls (from the cache);
4. baseline measured in the same run: the same engine one simulation at a time (``chunk=1``,
   200 simulations, scaled to 10,000), i.e. what vectorising across simulations saves.

Uses the trained model in ``$SCRIPTOHIO_STATE_DIR`` (default ``./var``; ``scriptohio train``).
Run: ``.venv/bin/python bench/projections.py``
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import asyncio  # noqa: E402
import dataclasses  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import httpx  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from scriptohio.agents.context import AnalyticsContext  # noqa: E402
from scriptohio.agents.projections import projection_inputs, season_projection  # noqa: E402
from scriptohio.api.app import create_app  # noqa: E402
from scriptohio.config import Settings  # noqa: E402
from scriptohio.data.dataset import load_dataset  # noqa: E402
from scriptohio.data.paths import find_data_dir  # noqa: E402
from scriptohio.features import FeatureStore  # noqa: E402
from scriptohio.models.registry import ModelRegistry  # noqa: E402
from scriptohio.models.simulation import SimulationConfig, simulate_season  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SEASON, WEEK, N = 2025, 10, 10_000
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))


CPU: list[float] = []  # CPU seconds of the last median_s call's runs


def median_s(fn: Callable[[], object], repeat: int = REPEAT) -> tuple[float, list[float]]:
    """Median wall seconds and the runs; their CPU seconds go to ``CPU`` (on a loaded
    machine the CPU time of this one thread is the steadier figure of one core's work)."""
    runs = []
    CPU.clear()
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        runs.append(time.perf_counter() - started)
        CPU.append(time.process_time() - cpu)
    return statistics.median(runs), runs


def state_dir() -> Path:
    return Path(os.environ.get("SCRIPTOHIO_STATE_DIR") or REPO / "var")


async def through_service(data_dir: Path) -> tuple[float, float, list[float]]:
    settings = Settings(data_dir=str(data_dir), state_dir=str(state_dir()),
                        rate_limit="100000000/minute", warm_cache=False)
    app = create_app(settings)
    url = f"/v1/projections?season={SEASON}&week={WEEK}&simulations={N}"
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            while (await client.get("/ready")).status_code != 200:
                await asyncio.sleep(0.1)
            started = time.perf_counter()
            first = await client.get(url)
            cold = time.perf_counter() - started
            assert first.status_code == 200 and first.headers["X-Cache"] == "miss", first.text
            hits = []
            for _ in range(50):
                started = time.perf_counter()
                r = await client.get(url)
                hits.append(time.perf_counter() - started)
                assert r.headers["X-Cache"].startswith("hit"), r.headers["X-Cache"]
            return cold, statistics.median(hits), hits


def main() -> None:
    data_dir = find_data_dir(os.environ.get("SCRIPTOHIO_DATA_DIR"), cwd=REPO)
    dataset = load_dataset(data_dir)
    features = FeatureStore.build(dataset)
    registry = ModelRegistry(state_dir(), features)
    if registry.latest_version() is None:
        raise SystemExit(f"no trained model in {state_dir()}: run `scriptohio train` first")
    predictor = registry.load()
    print(f"model {predictor.model_version}, residual sd {predictor.margin_sd:.2f} points; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    with threadpool_limits(1):
        ctx = AnalyticsContext(dataset, features, predictor)
        inputs = projection_inputs(ctx, ctx.week_ref(SEASON, WEEK))
        sim = inputs.sim
        print(f"{SEASON} from before week {WEEK}: {len(sim.home)} games to simulate, "
              f"{int(sim.eligible.sum())} FBS teams, {len(sim.postseason.conferences)} "
              f"conferences")
        simulate_season(sim)  # warm-up
        alone, runs = median_s(lambda: simulate_season(sim, SimulationConfig(simulations=N)))
        print(f"simulation alone, {N:,} seasons: median {alone:.3f} s "
              f"(runs {', '.join(f'{r:.3f}' for r in runs)}); goal <= 1 s: "
              f"{'met' if alone <= 1.0 else 'MISSED'}; CPU median "
              f"{statistics.median(CPU):.3f} s")

        def fresh() -> None:
            season_projection(AnalyticsContext(dataset, features, predictor), season=SEASON,
                              week=WEEK, simulations=N)

        whole, runs = median_s(fresh, max(3, REPEAT // 2))
        print(f"whole projection on a fresh context (inputs + simulation): median "
              f"{whole:.3f} s (runs {', '.join(f'{r:.3f}' for r in runs)}); CPU median "
              f"{statistics.median(CPU):.3f} s")

        one = dataclasses.replace(SimulationConfig(), simulations=200, chunk=1)
        per_sim, _ = median_s(lambda: simulate_season(sim, one), 3)
        baseline = per_sim * N / 200
        print(f"baseline, one simulation at a time (200, scaled to {N:,}): {baseline:.1f} s "
              f"-> vectorised is {baseline / alone:.0f}x faster")

    cold, hit, hits = asyncio.run(through_service(data_dir))
    p90 = sorted(hits)[int(0.9 * (len(hits) - 1))]
    print(f"service, first GET (computed, X-Cache: miss): {cold:.3f} s")
    print(f"service, cached GET (X-Cache: hit): median {hit * 1e3:.2f} ms, P90 "
          f"{p90 * 1e3:.2f} ms (n={len(hits)}); {cold / hit:.0f}x faster than the first")


if __name__ == "__main__":
    main()
