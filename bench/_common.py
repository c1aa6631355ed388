"""What every benchmark shares: the scaled demo zones, timing, quantiles, HTTP load, servers.

Benchmarks run outside the test suite on the shared 2-core machine, so each reports
medians and quantiles, and compares against a baseline measured in the same run.

- :func:`demo_dir`: the demo files of a scale (``bench/out/scale-N``, generated once under a
  file lock so two benches never write the same zone at once).
- :func:`timed`: the median seconds of repeated calls after a warm-up.
- :func:`pct`: a quantile of a list of numbers.
- :func:`http_load`: keep-alive clients on threads hammering a list of URLs for N seconds.
- :func:`free_port` and :func:`start_server`: a server process on a free loopback port.
- :func:`write_json`: the figures to ``bench/out/NAME.json``.
"""

from __future__ import annotations

import fcntl
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"


def demo_dir(scale: float, today: date) -> Path:
    """The demo zone's files at ``scale`` (1: the committed ``data/parcels``).

    Larger zones are generated into ``bench/out/scale-N`` when missing, under the lock
    ``bench/out/.gen.lock`` so that concurrent benches wait for one generation.
    """
    from parkgis.demo import DEMO_DIR, generate

    if scale == 1:
        return DEMO_DIR
    target = OUT / f"scale-{scale:g}"
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / ".gen.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / "meta.json").exists():
            print(f"generating scale {scale:g} into {target} ...", flush=True)
            generate(target, scale=scale, today=today)
    return target


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds of ``runs`` calls after one warm-up call, and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of ``values`` (linear interpolation; NaN when empty)."""
    return float(np.quantile(np.array(values), q)) if values else float("nan")


def http_load(
    urls: list[str],
    headers: dict[str, str],
    clients: int,
    seconds: float,
    *,
    warmup: int = 16,
    ok: tuple[int, ...] = (200,),
) -> tuple[list[float], int, int]:
    """Run ``clients`` keep-alive threads over ``urls`` for ``seconds`` after a warm-up.

    Client ``k`` requests ``urls[k]``, ``urls[k + clients]``, … in turn, so each URL is
    asked about equally often. A status outside ``ok`` counts as an error.

    Returns
    -------
    tuple
        (latencies in seconds, error count, bytes received).
    """
    import httpx

    lat: list[float] = []
    errors = 0
    nbytes = 0
    lock = threading.Lock()
    with httpx.Client(headers=headers, timeout=120) as c:
        for u in urls[:warmup]:
            c.get(u)
    deadline = time.perf_counter() + seconds

    def worker(k: int) -> None:
        nonlocal errors, nbytes
        mine: list[float] = []
        bad = size = 0
        i = k
        with httpx.Client(headers=headers, timeout=120) as c:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                r = c.get(urls[i % len(urls)])
                mine.append(time.perf_counter() - t0)
                size += len(r.content)
                bad += r.status_code not in ok
                i += clients
        with lock:
            lat.extend(mine)
            errors += bad
            nbytes += size

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat, errors, nbytes


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    cmd: list[str], env: dict[str, str], ready: str, log: Path
) -> subprocess.Popen[bytes]:
    """Start ``cmd`` (output to ``log``) and wait until ``ready`` answers 200 (60 s)."""
    import httpx

    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=out)
    for _ in range(300):
        if proc.poll() is not None:
            sys.exit(f"{cmd[0]} exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(ready, timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.terminate()
    sys.exit(f"server did not answer {ready}: {log.read_text()[-2000:]}")


def write_json(name: str, data: Any) -> Path:
    """Write ``data`` to ``bench/out/NAME.json`` and return the path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str))
    return path
