"""Test seams that ship with the package (as httpx ships ``MockTransport``).

* :class:`DatasetBuilder`: a small league written in the data files' real schema, so a test
  states the games it needs instead of depending on the shipped data;
* :class:`FakePredictor`: deterministic predictions from fixed team ratings, so API tests need
  no trained model (``fake_context`` builds a whole analytics context with it);
* :class:`FakeModels`: model versions a canary can serve, good or broken, without a registry;
* :class:`~scriptohio.runtime.FakeClock`: a clock tests step instead of sleeping;
* :class:`ProcessMemory`: a process's RSS, USS, PSS and what it shares (``/proc``), for tests
  and benchmarks of pre-forked workers.

Nothing in the service imports this package.
"""

from scriptohio.clock import FakeClock
from scriptohio.testing.dataset import DatasetBuilder, GameRow
from scriptohio.testing.memory import ProcessMemory
from scriptohio.testing.models import BrokenPredictor, FakeModels
from scriptohio.testing.predictor import FakePredictor, fake_context

__all__ = ["BrokenPredictor", "DatasetBuilder", "FakeClock", "FakeModels", "FakePredictor",
           "GameRow", "ProcessMemory", "fake_context"]
