"""Prediction latency: one game (goal P50 <= 2 ms) and a ~60-game slate (goal <= 20 ms).

Baselines measured in the same run: the feature lookup alone (what the models add on top)
and the slate predicted one game at a time (what vectorising saves).
Run: ``.venv/bin/python bench/models_predict.py``
"""

from __future__ import annotations

from models_common import data, describe, timings, trained_registry
from scriptohio.features import FeatureStore
from scriptohio.models import PredictionRequest


def main() -> None:
    dataset = data()
    features = FeatureStore.build(dataset)
    predictor = trained_registry(dataset, features).load()
    print(f"model version {predictor.model_version}")
    one = describe("features only: matchup_vector",
                   timings(lambda: features.matchup_vector("Ohio State", "Michigan", 2025, 14),
                           500))
    single = describe("predict(): one game, all models + ensemble",
                      timings(lambda: predictor.predict("Ohio State", "Michigan", 2025, 14), 500))
    explained = describe("predict(explain=True)",
                         timings(lambda: predictor.predict("Ohio State", "Michigan", 2025, 14,
                                                           explain=True), 300))
    rows = dataset.games.rows_for_week(2025, 12, "regular")
    games = dataset.games.records(rows)
    reqs = [PredictionRequest(g.home_team, g.away_team, g.season, g.week) for g in games]
    slate = describe(f"predict_many(): slate of {len(reqs)} games",
                     timings(lambda: predictor.predict_many(reqs), 100))
    loop = describe(f"baseline: {len(reqs)} x predict()",
                    timings(lambda: [predictor.predict_many([r]) for r in reqs], 20))
    print(f"models on top of features: {single / one:.1f}x the feature lookup; "
          f"explain costs {explained / single:.2f}x")
    print(f"vectorised slate is {loop / slate:.1f}x faster than one by one")
    print(f"goals: single P50 {single:.3f} ms (<= 2 ms: {'met' if single <= 2 else 'MISSED'}); "
          f"slate P50 {slate:.3f} ms (<= 20 ms: {'met' if slate <= 20 else 'MISSED'})")


if __name__ == "__main__":
    main()
