"""A deployment in network namespaces: hosts on a private range, for tests and ``bench/``.

::

                        bridge namespace (br0)
         ┌──────────────┬───────┴──────┬──────────────┬──────────────┐
     lb 10.77.0.2    svc1 .11      svc2 .12       svc3 .13       drv1 .21 …
     redis :6390     scriptohio    scriptohio     scriptohio     load drivers
     haproxy :8080   serve :8000   serve :8000    serve :8000

Each host is a namespace with one veth into a bridge that lives in a namespace of its own, so
nothing touches the machine's own interfaces. The ``lb`` host runs its own ``redis-server``
(never the machine's shared one) and HAProxy rendered from ``deploy/haproxy/haproxy.cfg``;
each service host runs ``scriptohio serve`` from this package's source tree (``PYTHONPATH``),
with the shared tier and rate limits in that Redis. Namespace names carry the creating
process's id: :meth:`Topology.__enter__` first removes those left by a process that died, and
:meth:`Topology.__exit__` always kills what runs in its namespaces and deletes them.

Needs root (``ip netns``), ``haproxy`` and ``redis-server``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import scriptohio

__all__ = ["DEFAULT_SUBNET", "Host", "LoopbackBalancer", "ServeProcess", "Topology",
           "TopologyConfig", "haproxy_config", "haproxy_stat", "loopback_balancer"]

DEFAULT_SUBNET = "10.77.0"
LB_ADDRESS_SUFFIX = 2
REDIS_PORT = 6390
HAPROXY_PORT = 8080
STATS_PORT = 8404
SERVE_PORT = 8000
SRC_DIR = Path(scriptohio.__file__).resolve().parents[1]
TEMPLATE = SRC_DIR.parent / "deploy" / "haproxy" / "haproxy.cfg"
_PREFIX = "sotp"
#: HAProxy's queue bound per replica in rotation (``HAPROXY_QUEUE_PER_SERVER``): ~3.4 s of a
#: replica's persona-mix throughput on this 2-core box, under ``timeout queue`` (5 s). 64 (about
#: 0.1 s of cold answers) refused users the queue would have served well within the 1 s their
#: Retry-After sent them away for (docs/results/topology.md, section 3).
DEFAULT_QUEUE_PER_SERVER = 1024


def _run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=check, capture_output=True, text=True, timeout=30)


def haproxy_config(servers: Mapping[str, str], *, bind: str, stats_bind: str,
                   stats_socket: str, maxconn: int = 4096, server_maxconn: int = 32,
                   queue_per_server: int = DEFAULT_QUEUE_PER_SERVER,
                   queue_timeout: str = "5s", close_above: int | None = None,
                   log_level: str = "warning", template: Path = TEMPLATE) -> str:
    """``deploy/haproxy/haproxy.cfg`` with its variables filled and one ``server`` line per
    replica (``servers``: name → ``address:port``). ``close_above``: the door's connections
    above which a 503 also closes its connection (default half of ``maxconn``).
    ``log_level="info"`` logs every request (with its timers) to stderr."""
    text = template.read_text()
    values = {"HAPROXY_BIND": bind, "HAPROXY_STATS_BIND": stats_bind,
              "HAPROXY_STATS_SOCKET": stats_socket, "HAPROXY_MAXCONN": str(maxconn),
              "HAPROXY_SERVER_MAXCONN": str(server_maxconn),
              "HAPROXY_QUEUE_PER_SERVER": str(queue_per_server),
              "HAPROXY_QUEUE_TIMEOUT": queue_timeout,
              "HAPROXY_CLOSE_ABOVE": str(maxconn // 2 if close_above is None else close_above),
              "HAPROXY_LOG_LEVEL": log_level}
    text = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], text)
    lines = "\n".join(f"    server {name} {where} check" for name, where in servers.items())
    return text.replace("    # @servers@", lines)


@dataclass(frozen=True)
class LoopbackBalancer:
    """HAProxy on loopback in front of servers on loopback (tests and benches)."""

    url: str
    pid: int
    stats_socket: str
    config: Path


def haproxy_admin(stats_socket: str | Path, command: str) -> str:
    """One command on HAProxy's admin socket, and its whole answer."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.settimeout(5)
        sock.connect(str(stats_socket))
        sock.sendall(command.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.decode()


def _stats_rows(stats_socket: str | Path) -> list[dict[str, str]]:
    lines = haproxy_admin(stats_socket, "show stat\n").splitlines()
    if not lines:
        return []
    names = lines[0].lstrip("# ").split(",")
    return [dict(zip(names, line.split(","), strict=False)) for line in lines[1:] if line]


def haproxy_stat(stats_socket: str, proxy: str, server: str) -> dict[str, str]:
    """One row of HAProxy's ``show stat`` (``server``: a server's name, or ``BACKEND``)."""
    for row in _stats_rows(stats_socket):
        if row.get("pxname") == proxy and row.get("svname") == server:
            return row
    raise LookupError(f"no stats row {proxy}/{server}")


@contextlib.contextmanager
def loopback_balancer(servers: Mapping[str, str], workdir: Path, *,
                      cpus: set[int] | None = None, nice: int = 0, timeout_s: float = 30.0,
                      **config: object) -> Iterator[LoopbackBalancer]:
    """HAProxy from the shipped template (``config``: :func:`haproxy_config`'s keywords, e.g.
    ``template``, ``server_maxconn``) on a free loopback port, yielded once every server is UP
    in it; stopped on exit. ``cpus``: the CPUs it may run on (benchmarks pin it); ``nice``:
    its scheduling priority (negative: ahead of a load driver sharing its CPU)."""
    if shutil.which("haproxy") is None:
        raise RuntimeError("haproxy is not installed (apt-get install haproxy)")
    ports = []
    for _ in range(2):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(int(s.getsockname()[1]))
    sock = str(workdir / "haproxy.sock")
    cfg = workdir / "haproxy.cfg"
    cfg.write_text(haproxy_config(servers, bind=f"127.0.0.1:{ports[0]}",
                                  stats_bind=f"127.0.0.1:{ports[1]}", stats_socket=sock,
                                  **config))  # type: ignore[arg-type]
    check = _run("haproxy", "-c", "-f", str(cfg), check=False)
    if check.returncode != 0:
        raise RuntimeError(f"HAProxy refused {cfg}: {check.stdout}{check.stderr}")
    with open(workdir / "haproxy.log", "w") as log:
        def place() -> None:
            if cpus:
                os.sched_setaffinity(0, cpus)
            if nice:
                os.setpriority(os.PRIO_PROCESS, 0, nice)

        proc = subprocess.Popen(["haproxy", "-f", str(cfg), "-db"], stdout=log, stderr=log,
                                preexec_fn=place if cpus or nice else None)
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"HAProxy exited: {(workdir / 'haproxy.log').read_text()}")
                with contextlib.suppress(OSError, LookupError):
                    if all(haproxy_stat(sock, "replicas", name)["status"] == "UP"
                           for name in servers):
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"HAProxy's servers not UP within {timeout_s:.0f} s")
                time.sleep(0.05)
            yield LoopbackBalancer(f"http://127.0.0.1:{ports[0]}", proc.pid, sock, cfg)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@dataclass(frozen=True)
class Host:
    """One namespace on the bridge."""

    name: str  # the namespace
    address: str

    def command(self, *argv: str) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]


class ServeProcess:
    """``scriptohio serve`` as a subprocess (in ``host``'s namespace, or here on loopback).

    Its log goes to a file (a pipe nobody reads would block it); :meth:`log` reads it."""

    def __init__(self, state_dir: Path, *, host: Host | None = None, port: int = SERVE_PORT,
                 env: Mapping[str, str] | None = None, args: Sequence[str] = (),
                 cpus: set[int] | None = None) -> None:
        self.state_dir = state_dir
        self.host = host
        self.port = port
        self.address = host.address if host else "127.0.0.1"
        self.url = f"http://{self.address}:{port}"
        self.env = {**os.environ, "PYTHONPATH": _pythonpath(), **(env or {}),
                    "SCRIPTOHIO_STATE_DIR": str(state_dir)}
        self.args = tuple(args)
        self.cpus = cpus
        self.proc: subprocess.Popen[bytes] | None = None
        self._log_path = state_dir / "serve.log"

    def start(self) -> ServeProcess:
        argv = [sys.executable, "-m", "scriptohio.cli.main", "serve", "--host", self.address,
                "--port", str(self.port), *self.args]
        if self.host is not None:
            argv = self.host.command(*argv)
        if self.cpus:
            argv = ["taskset", "-c", ",".join(map(str, sorted(self.cpus))), *argv]
        with self._log_path.open("ab") as log:
            self.proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.DEVNULL,
                                         stderr=log)
        return self

    def log(self) -> str:
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Until ``/ready`` says 200 (from inside its host)."""
        deadline = time.monotonic() + timeout_s
        while not self.ready():
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"serve exited {self.proc.returncode}: {self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.url}/ready not 200 within {timeout_s:.0f} s")
            time.sleep(0.1)

    def ready(self) -> bool:
        return _http_status(self.address, self.port, "/ready", self.host) == 200

    def signal(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def wait(self, timeout_s: float = 60.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout_s)

    def stop(self) -> None:
        """SIGKILL if still running (tests stop it by signal first when that matters)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


def _pythonpath() -> str:
    """This source tree first, so a fresh clone runs its own code."""
    rest = os.environ.get("PYTHONPATH")
    return f"{SRC_DIR}{os.pathsep}{rest}" if rest else str(SRC_DIR)


def _http_status(address: str, port: int, path: str, host: Host | None) -> int | None:
    """One GET's status from inside ``host``'s namespace (None: no answer)."""
    if host is None:
        try:
            with socket.create_connection((address, port), timeout=2) as sock:
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             .encode())
                head = sock.recv(64).decode("latin-1")
        except OSError:
            return None
        parts = head.split(" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    try:  # -S: no site-packages to import, the probe needs only sockets
        done = _run(*host.command(sys.executable, "-S", "-c", _STATUS_PROBE, address, str(port),
                                  path), check=False)
    except subprocess.TimeoutExpired:  # a loaded host: no answer this time
        return None
    return int(done.stdout) if done.stdout.strip().isdigit() else None


_STATUS_PROBE = """
import socket, sys
try:
    with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2) as s:
        s.sendall(f"GET {sys.argv[3]} HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n"
                  .encode())
        print(s.recv(64).decode("latin-1").split(" ")[1])
except (OSError, IndexError):
    pass
"""


@dataclass(frozen=True)
class TopologyConfig:
    """What to bring up: service hosts, driver hosts, and how each replica runs."""

    replicas: int = 2
    drivers: int = 1
    subnet: str = DEFAULT_SUBNET
    data_dir: str | None = None
    #: a state directory with trained models; each replica gets its own copy of the rest
    models_from: Path | None = None
    serve_env: Mapping[str, str] = field(default_factory=dict)
    serve_args: Sequence[str] = ()
    #: CPUs per replica (``taskset``), by replica index; unset: anywhere
    replica_cpus: Sequence[set[int]] = ()
    ready_timeout_s: float = 180.0
    #: keyword arguments for :func:`haproxy_config` (``server_maxconn``, ``queue_per_server``,
    #: ``queue_timeout``, ``log_level`` …); unset: the shipped defaults
    haproxy: Mapping[str, Any] = field(default_factory=dict)


class Topology:
    """``with Topology(config) as topo``: the hosts, Redis, HAProxy and ready replicas."""

    def __init__(self, config: TopologyConfig | None = None) -> None:
        self.config = config or TopologyConfig()
        self.tag = f"{_PREFIX}{os.getpid()}"
        self.workdir = Path(tempfile.mkdtemp(prefix="scriptohio-topology-"))
        net = self.config.subnet
        self.bridge_ns = f"{self.tag}-br"
        self.lb = Host(f"{self.tag}-lb", f"{net}.{LB_ADDRESS_SUFFIX}")
        self.services = [Host(f"{self.tag}-s{i + 1}", f"{net}.{11 + i}")
                         for i in range(self.config.replicas)]
        self.drivers = [Host(f"{self.tag}-d{i + 1}", f"{net}.{21 + i}")
                        for i in range(self.config.drivers)]
        self.replicas: list[ServeProcess] = []
        self.redis: subprocess.Popen[bytes] | None = None
        self.haproxy: subprocess.Popen[bytes] | None = None
        self.redis_url = f"redis://{self.lb.address}:{REDIS_PORT}/0"
        self.url = f"http://{self.lb.address}:{HAPROXY_PORT}"
        self._stats_socket = self.workdir / "haproxy.sock"

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Topology:
        remove_stale_namespaces()
        try:
            self._network()
            self.start_redis()
            self._start_replicas()
            self._start_haproxy()
            self.wait_servers_up(len(self.replicas))
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Kill everything in this topology's namespaces and delete them (idempotent)."""
        for replica in self.replicas:
            replica.stop()
        for proc in (self.haproxy, self.redis):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
        delete_namespaces(self.tag)
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- the network -------------------------------------------------------------------------
    def hosts(self) -> list[Host]:
        return [self.lb, *self.services, *self.drivers]

    def _network(self) -> None:
        _run("ip", "netns", "add", self.bridge_ns)
        _run("ip", "-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
        _run("ip", "-n", self.bridge_ns, "link", "set", "br0", "up")
        for i, host in enumerate(self.hosts()):
            _run("ip", "netns", "add", host.name)
            _run("ip", "-n", self.bridge_ns, "link", "add", f"v{i}", "type", "veth",
                 "peer", "name", "eth0", "netns", host.name)
            _run("ip", "-n", self.bridge_ns, "link", "set", f"v{i}", "master", "br0", "up")
            _run("ip", "-n", host.name, "addr", "add", f"{host.address}/24", "dev", "eth0")
            _run("ip", "-n", host.name, "link", "set", "eth0", "up")
            _run("ip", "-n", host.name, "link", "set", "lo", "up")

    # -- Redis -------------------------------------------------------------------------------
    def start_redis(self) -> None:
        """(Re)start the lb host's own redis-server."""
        self.redis = subprocess.Popen(self.lb.command(
            "redis-server", "--bind", self.lb.address, "--port", str(REDIS_PORT),
            "--save", "", "--appendonly", "no", "--protected-mode", "no"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while _run(*self.lb.command("redis-cli", "-h", self.lb.address, "-p", str(REDIS_PORT),
                                    "ping"), check=False).stdout.strip() != "PONG":
            if time.monotonic() > deadline:
                raise TimeoutError("the topology's redis-server did not start")
            time.sleep(0.05)

    def cut_link(self, host: Host, up: bool = False) -> None:
        """Take ``host``'s interface down (a host that vanished: no resets, only silence), or
        back up."""
        _run("ip", "-n", host.name, "link", "set", "eth0", "up" if up else "down")

    def kill_redis(self) -> None:
        if self.redis is not None and self.redis.poll() is None:
            self.redis.kill()
            self.redis.wait(timeout=30)

    # -- replicas ----------------------------------------------------------------------------
    def _start_replicas(self) -> None:
        for i in range(len(self.services)):
            self.replicas.append(self._replica(i).start())
        for replica in self.replicas:
            replica.wait_ready(self.config.ready_timeout_s)

    def _replica(self, i: int) -> ServeProcess:
        state = self.workdir / f"state-{i + 1}"
        state.mkdir(exist_ok=True)
        models = self.config.models_from
        if models is not None and not (state / "models").exists():
            (state / "models").symlink_to((models / "models").resolve(),
                                          target_is_directory=True)
        env = {"SCRIPTOHIO_REDIS_URL": self.redis_url,
               "SCRIPTOHIO_RATE_LIMIT": "1000000/minute", "SCRIPTOHIO_WARM_CACHE": "0",
               **({"SCRIPTOHIO_DATA_DIR": self.config.data_dir} if self.config.data_dir
                  else {}),
               **self.config.serve_env}
        cpus = self.config.replica_cpus
        return ServeProcess(state, host=self.services[i], env=env,
                            args=("--forwarded-allow-ips", self.lb.address,
                                  *self.config.serve_args),
                            cpus=cpus[i % len(cpus)] if cpus else None)

    def restart(self, i: int) -> ServeProcess:
        """Start replica ``i`` again (after it stopped) and wait until it is ready."""
        old = self.replicas[i]
        if old.proc is not None and old.proc.poll() is None:
            raise RuntimeError(f"replica {i + 1} is still running")
        self.replicas[i] = self._replica(i).start()
        self.replicas[i].wait_ready(self.config.ready_timeout_s)
        return self.replicas[i]

    # -- HAProxy -----------------------------------------------------------------------------
    def _start_haproxy(self) -> None:
        servers = {f"s{i + 1}": f"{host.address}:{SERVE_PORT}"
                   for i, host in enumerate(self.services)}
        cfg = self.workdir / "haproxy.cfg"
        cfg.write_text(haproxy_config(
            servers, bind=f"{self.lb.address}:{HAPROXY_PORT}",
            stats_bind=f"{self.lb.address}:{STATS_PORT}",
            stats_socket=str(self._stats_socket), **self.config.haproxy))
        check = _run(*self.lb.command("haproxy", "-c", "-f", str(cfg)), check=False)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy rejected its configuration: {check.stderr}")
        with (self.workdir / "haproxy.log").open("ab") as log:
            self.haproxy = subprocess.Popen(self.lb.command("haproxy", "-db", "-f", str(cfg)),
                                            stdout=subprocess.DEVNULL, stderr=log)

    def set_server_state(self, name: str, state: str) -> None:
        """``ready``, ``drain`` or ``maint`` for replica ``name`` (HAProxy's admin socket): a
        benchmark takes replicas out to measure 1, 2, 3 hosts in one run."""
        self._admin(f"set server replicas/{name} state {state}\n")

    def _admin(self, command: str) -> str:
        return haproxy_admin(self._stats_socket, command)

    def server_stats(self) -> dict[str, dict[str, str]]:
        """HAProxy's ``show stat`` row per replica (``status``, ``wretr`` retries,
        ``wredis`` redispatches, ``chkdown`` …)."""
        try:
            rows = _stats_rows(self._stats_socket)
        except OSError:
            return {}
        return {row["svname"]: row for row in rows if row.get("pxname") == "replicas"
                and row.get("svname") not in ("FRONTEND", "BACKEND")}

    def frontend_stats(self) -> dict[str, str]:
        """HAProxy's ``show stat`` row of the ``api`` frontend (``req_tot``, ``hrsp_2xx`` …)."""
        return haproxy_stat(str(self._stats_socket), "api", "FRONTEND")

    def server_states(self) -> dict[str, str]:
        """HAProxy's view: replica name → ``UP``, ``DOWN``, ``UP 1/2`` …"""
        return {name: row.get("status", "") for name, row in self.server_stats().items()}

    def haproxy_log(self) -> str:
        """What HAProxy wrote to stderr (every request, with its timers and termination state,
        when ``haproxy={"log_level": "info"}``)."""
        path = self.workdir / "haproxy.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_servers_up(self, count: int, timeout_s: float = 60.0) -> None:
        """Until HAProxy sees ``count`` replicas UP."""
        deadline = time.monotonic() + timeout_s
        while sum(s == "UP" for s in self.server_states().values()) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"haproxy: {self.server_states()} (wanted {count} UP)")
            time.sleep(0.1)

    def wait_server_state(self, name: str, state: str, timeout_s: float = 60.0) -> float:
        """Until HAProxy reports replica ``name`` as ``state``; returns the seconds it took."""
        started = time.monotonic()
        while not self.server_states().get(name, "").startswith(state):
            if time.monotonic() - started > timeout_s:
                raise TimeoutError(f"haproxy: {name} not {state}: {self.server_states()}")
            time.sleep(0.05)
        return time.monotonic() - started

    # -- load --------------------------------------------------------------------------------
    def drive(self, driver: int = 0, *, paths: Sequence[str] = ("/health",),
              concurrency: int = 8,
              max_requests: int = 1000, max_seconds: float = 60.0,
              stop_file: Path | None = None) -> DriverRun:
        """Start a closed loop of requests from driver host ``driver`` (see
        :mod:`scriptohio.testing.closed_loop`); :meth:`DriverRun.result` waits for its counts."""
        argv = [sys.executable, "-m", "scriptohio.testing.closed_loop",
                *(self.url + path for path in paths),
                "--concurrency", str(concurrency), "--max-requests", str(max_requests),
                "--max-seconds", str(max_seconds)]
        if stop_file is not None:
            argv += ["--stop-file", str(stop_file)]
        proc = subprocess.Popen(self.drivers[driver].command(*argv),
                                env={**os.environ, "PYTHONPATH": _pythonpath()},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return DriverRun(proc)


class DriverRun:
    """A closed-loop driver running on a driver host."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    def result(self, timeout_s: float = 120.0) -> dict[str, object]:
        out, err = self.proc.communicate(timeout=timeout_s)
        if self.proc.returncode != 0:
            raise RuntimeError(f"driver failed: {err.decode(errors='replace')[-2000:]}")
        result: dict[str, object] = json.loads(out)
        return result


def _namespaces() -> list[str]:
    done = _run("ip", "netns", "list", check=False)
    return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]


def delete_namespaces(tag: str) -> None:
    """Kill every process in the namespaces named ``tag-*`` and delete them."""
    for name in _namespaces():
        if not name.startswith(tag + "-"):
            continue
        pids = _run("ip", "netns", "pids", name, check=False).stdout.split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signal.SIGKILL)
        _run("ip", "netns", "del", name, check=False)


def remove_stale_namespaces() -> None:
    """Delete the namespaces of topologies whose creating process has died."""
    for name in _namespaces():
        match = re.fullmatch(rf"{_PREFIX}(\d+)-\w+", name)
        if match and not Path(f"/proc/{match.group(1)}").exists():
            delete_namespaces(f"{_PREFIX}{match.group(1)}")

