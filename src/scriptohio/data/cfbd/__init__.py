"""Data from CollegeFootballData.com through the official ``cfbd`` client.

:mod:`.client` wraps the client (retries, timeouts, errors converted), :mod:`.mapping` and
:mod:`.teams` turn its answers into our rows, :mod:`.pull` writes them through ingest;
:mod:`.validators` keeps ETags so repeated pulls are conditional requests.
"""

from scriptohio.data.cfbd.client import DEFAULT_API_URL, CfbdClient
from scriptohio.data.cfbd.pull import PullRequest, PullResult, pull
from scriptohio.data.cfbd.retry import RetryPolicy
from scriptohio.data.cfbd.validators import ValidatorStore

__all__ = ["DEFAULT_API_URL", "CfbdClient", "PullRequest", "PullResult", "RetryPolicy",
           "ValidatorStore", "pull"]
