"""Settings from the environment, and back (what `serve --workers` hands each worker)."""

from __future__ import annotations

import pytest

from scriptohio.config import DEFAULT_CACHE_NAMESPACE, Settings


def test_environment_round_trip() -> None:
    env = {"SCRIPTOHIO_REDIS_URL": "redis://127.0.0.1:6379/0", "SCRIPTOHIO_AUTH": "keys",
           "SCRIPTOHIO_CACHE_NAMESPACE": "deploy-a", "SCRIPTOHIO_WARM_FIRST_SEASON": "2020",
           "SCRIPTOHIO_WARM_CACHE": "0", "SCRIPTOHIO_MAX_INFLIGHT": "64",
           "SCRIPTOHIO_DRAIN_S": "2.5"}
    settings = Settings.from_env(env)
    assert (settings.cache_namespace, settings.warm_first_season, settings.warm_cache,
            settings.max_inflight, settings.auth, settings.drain_s) == (
                "deploy-a", 2020, False, 64, "keys", 2.5)
    assert Settings.from_env(settings.to_env()) == settings


def test_defaults_without_environment() -> None:
    settings = Settings.from_env({})
    assert settings.cache_namespace == DEFAULT_CACHE_NAMESPACE
    assert settings.warm_first_season == 2014 and settings.warm_cache


@pytest.mark.parametrize(("name", "value"), [("SCRIPTOHIO_WARM_FIRST_SEASON", "last year"),
                                             ("SCRIPTOHIO_MAX_INFLIGHT", "0"),
                                             ("SCRIPTOHIO_AUTH", "none"),
                                             ("SCRIPTOHIO_DRAIN_S", "-1"),
                                             ("SCRIPTOHIO_DRAIN_S", "soon")])
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: value})
