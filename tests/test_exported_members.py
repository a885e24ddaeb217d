"""Every package's face is its ``__all__``: exactly the public names it defines, each one
importable (as httpx pins its exports in ``tests/test_exported_members.py``)."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import scriptohio

PACKAGES = sorted(
    [scriptohio.__name__]
    + [m.name for m in pkgutil.walk_packages(scriptohio.__path__, f"{scriptohio.__name__}.")
       if m.ispkg]
)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_exactly_the_public_names(name: str) -> None:
    package = importlib.import_module(name)
    exported = getattr(package, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(exported) == len(set(exported)), "duplicates in __all__"
    for member in exported:  # every name resolves (lazy ones too)
        assert getattr(package, member) is not None, member
    public = {member for member, value in vars(package).items()
              if not member.startswith("_") and not isinstance(value, types.ModuleType)
              and member != "annotations"}  # from __future__ import annotations
    assert public <= set(exported), f"public but not exported: {sorted(public - set(exported))}"


def test_every_package_is_covered() -> None:
    assert len(PACKAGES) >= 15
    assert "scriptohio.testing" in PACKAGES and "scriptohio.api.routes" in PACKAGES
