"""Benchmark: requests through a real server (gunicorn), as a client sees them.

    .venv/bin/python bench/search_bench.py --size 1000000    # loads the customers, once
    .venv/bin/python bench/serving_bench.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/search_bench \
        .venv/bin/python bench/serving_bench.py

It reads the database search_bench.py loaded (SQLite: /tmp/patron-search-bench.sqlite3, or
DATABASE_URL's) and starts gunicorn on it with one sync worker (as `make run` does, with
one worker so that each request finds it as the previous one left it; its static files
collected first, as `make run` does). Then, one after another, each on a new connection (a
sync worker closes it), --repeat requests of each kind: through the API, the list of the
workspace's tags (next to no query), searches by customer no., name prefix and part of an
email, and the customer list's first page; as a signed-in user, the banner's type-ahead
(a name prefix) and the customer list page.

search_bench.py times the same searches inside one process with Django's test client, and
sets them beside the bare SQL; what it cannot see is what a server adds: the connection to
the database (opened per request, or kept), and what the worker does after sending one
response before it takes the next (the garbage collection of patron/core/serving.py). So
this prints, for each kind, the client's p50/p95 (ms), the server's own time for the
request (gunicorn's access log, %(D)s), and the difference: what a client waits beyond the
request itself, on a machine with nothing else to do.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = "sqlite:////tmp/patron-search-bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from patron.api.models import ApiToken  # noqa: E402
from patron.customers.models import Customer  # noqa: E402
from patron.workspaces.models import Membership  # noqa: E402

PORT = 8799
WARM_UP = 5  # requests of each kind first, untimed: a worker's first ones load the app


def requests_to_make(membership: Membership, repeat: int) -> list[tuple[str, str]]:
    """(kind, path) for each timed request, for customers drawn at random: the API's paths,
    then the pages' (under /customers/)."""
    customers = Customer.objects.filter(workspace=membership.workspace, kind="person")
    last = customers.order_by("-number").values_list("number", flat=True).first() or 0
    rng = random.Random(6)
    numbers = [rng.randrange(1, last + 1) for _ in range(repeat * 3)]
    with_email = customers.exclude(email="")
    sample = list(with_email.filter(number__in=numbers)) or list(with_email[:repeat])
    rng.shuffle(sample)  # (they come in name order)
    sample = sample[:repeat]
    if not sample:
        sys.exit("No customers: run bench/search_bench.py first (it loads them).")
    sample = (sample * (repeat // len(sample) + 1))[:repeat]

    def search(text: str) -> str:
        return "/api/v1/customers/?" + urllib.parse.urlencode({"q": text, "page_size": 10})

    kinds = {
        "request floor (tags)": ["/api/v1/tags/?page_size=10"] * repeat,
        "customer no.": [search(str(c.number)) for c in sample],
        "name prefix": [search(c.last_name[:4]) for c in sample],
        "email substring": [search(c.email.split("@")[0][-6:] + "@") for c in sample],
        "customer list, page 1": ["/api/v1/customers/?page_size=50"] * repeat,
        "type-ahead (page)": [
            "/customers/suggest/?" + urllib.parse.urlencode({"q": c.last_name[:4]}) for c in sample
        ],
        "list page 1 (page)": ["/customers/"] * repeat,
    }
    return [(kind, path) for kind, paths in kinds.items() for path in paths]


def get(path: str, headers: dict[str, dict[str, str]]) -> float:
    """The client's time for one request, in ms, on a new connection, with the headers of
    its kind: the API's token, or the pages' session cookie."""
    started = time.perf_counter()
    client = HTTPConnection("127.0.0.1", PORT, timeout=30)
    client.request("GET", path, headers=headers["api" if path.startswith("/api/") else "page"])
    response = client.getresponse()
    response.read()
    client.close()
    if response.status != 200:
        sys.exit(f"{path}: {response.status}")
    return (time.perf_counter() - started) * 1000


def start_server(directory: Path) -> subprocess.Popen:
    """gunicorn as `make run` starts it, with one worker, its static files collected into
    `directory`, and its access log there (each request's own time)."""
    environment = {**os.environ, "STATIC_ROOT": str(directory / "static")}
    patron = [str(ROOT / ".venv/bin/patron"), "collectstatic", "--no-input", "--verbosity", "0"]
    subprocess.run(patron, cwd=ROOT, env=environment, check=True)
    command = [str(ROOT / ".venv/bin/gunicorn"), "patron.wsgi", "--bind", f"127.0.0.1:{PORT}"]
    command += ["--workers", "1", "--access-logfile", str(directory / "access.log")]
    command += ["--access-logformat", "%(D)s %(s)s"]
    server = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            client = HTTPConnection("127.0.0.1", PORT, timeout=30)
            client.request("GET", "/login/")
            client.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start.")


def worker_rss_mb(server: subprocess.Popen) -> float:
    """The resident memory of the server's worker (the master's child)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="requests of each kind")
    args = parser.parse_args()

    membership = Membership.objects.filter(user__email="search-bench@example.com").first()
    if membership is None:
        sys.exit("No bench workspace: run bench/search_bench.py first (it loads it).")
    _, key = ApiToken.issue(membership=membership, name="serving bench")
    signed_in = Client()
    signed_in.force_login(membership.user)
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    headers = {
        "api": {"Authorization": f"Bearer {key}"},
        "page": {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"},
    }
    timed = requests_to_make(membership, args.repeat)
    warm_up = [(kind, path) for n, (kind, path) in enumerate(timed) if n % args.repeat < WARM_UP]
    connection.close()  # the server has the database to itself

    with tempfile.TemporaryDirectory() as directory:
        server = start_server(Path(directory))
        try:
            for _, path in warm_up:
                get(path, headers)
            client_ms = [get(path, headers) for _, path in timed]
            rss = worker_rss_mb(server)
        finally:
            server.terminate()
            server.wait()
        lines = (Path(directory) / "access.log").read_text().splitlines()

    # The log's last lines are the timed requests, in order (one worker, one at a time).
    server_ms = [int(line.split()[0]) / 1000 for line in lines[-len(timed) :]]
    count = Customer.objects.filter(workspace=membership.workspace).count()
    print(
        f"\n{count:,} customers on {connection.vendor}; gunicorn, one sync worker; "
        f"{args.repeat} requests of each kind, one at a time (ms)\n"
    )
    print(f"{'request':<24}{'client p50':>11}{'p95':>8}{'server p50':>12}{'p95':>8}{'beyond':>8}")
    for kind in dict.fromkeys(kind for kind, _ in timed):
        mine = [n for n, (k, _) in enumerate(timed) if k == kind]
        client = [client_ms[n] for n in mine]
        served = [server_ms[n] for n in mine]
        client_p50, client_p95 = percentile(client, 0.5), percentile(client, 0.95)
        served_p50, served_p95 = percentile(served, 0.5), percentile(served, 0.95)
        beyond = statistics.median(c - s for c, s in zip(client, served, strict=True))
        print(
            f"{kind:<24}{client_p50:>11.1f}{client_p95:>8.1f}{served_p50:>12.1f}"
            f"{served_p95:>8.1f}{beyond:>8.1f}"
        )
    print(f"\nThe worker's resident memory at the end: {rss:.0f} MB.")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


if __name__ == "__main__":
    main()
