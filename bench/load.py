"""R4's load: a gunicorn server on a free loopback port against the benchmark's database, and
a load generator run in a second process (plain threads and http.client, one connection per
thread) that reports requests per second and the 95th-percentile latency as one JSON line.

    python -m bench.load URL COOKIE CONNECTIONS SECONDS
"""

import contextlib
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

from django.conf import settings

WORKERS = 2  # the machine's cores; Dockerfile runs 3 on a larger host


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn():
    """Serve Parley (with bench.urls) on 127.0.0.1:<free port>; yields the base URL."""
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    server = subprocess.Popen(  # noqa: S603 (our interpreter and arguments)
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(url, cookie, connections, seconds):
    """Load `url` from a second process; returns its report (rps, p95_ms, errors)."""
    finished = subprocess.run(  # noqa: S603 (our interpreter, our module)
        [sys.executable, "-m", "bench.load", url, cookie, str(connections), str(seconds)],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])


def _summary(latencies, errors, elapsed):
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0
    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p95_ms": p95 * 1000,
        "median_ms": statistics.median(ordered) * 1000 if ordered else 0.0,
        "errors": errors,
    }


def in_process(client, url, seconds):
    """One connection's worth of load through django.test.Client (no server can reach an
    in-memory test database)."""
    latencies, errors = [], 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds or not latencies:
        began = time.perf_counter()
        response = client.get(url)
        latencies.append(time.perf_counter() - began)
        errors += response.status_code != 200
    return _summary(latencies, errors, time.perf_counter() - started)


def generate(url, cookie, connections, seconds):
    """Each thread requests `url` over its own keep-alive connection until time is up."""
    parts = urllib.parse.urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies, errors = [], [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine = []
        while time.perf_counter() < stop_at:
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                ok = False
            if ok:
                mine.append(time.perf_counter() - began)
            else:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return _summary(latencies, errors[0], time.perf_counter() - started)


if __name__ == "__main__":
    url, cookie, connections, seconds = sys.argv[1:5]
    print(json.dumps(generate(url, cookie, int(connections), float(seconds))))
