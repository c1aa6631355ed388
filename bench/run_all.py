"""Run every benchmark in ``bench/`` one after another (``make bench``).

    PARKGIS_HOME=/tmp/pg-bench .venv/bin/python bench/run_all.py [--only a,b] [--list]

Each ``bench/NAME.py`` runs with its own defaults in a child process (so one that fails
does not stop the rest), prints its own table and writes ``bench/out/NAME.json``. At the
end a summary says which ran, how long each took and which failed; the exit code is 1
when any failed. See ``bench/README.md`` for what each one measures and its targets.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _common import HERE, OUT

SKIP = {"_common", "run_all"}


def benches() -> list[str]:
    """The names of the bench scripts, alphabetically."""
    return sorted(p.stem for p in HERE.glob("*.py") if p.stem not in SKIP)


def main() -> None:
    """Parse the arguments and run the benches."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", help="comma list of bench names (default: all)")
    ap.add_argument("--list", action="store_true", help="print the bench names and stop")
    args = ap.parse_args()
    names = benches()
    if args.list:
        print("\n".join(names))
        return
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            sys.exit(f"unknown bench {', '.join(unknown)}; there are: {', '.join(names)}")
        names = wanted
    OUT.mkdir(parents=True, exist_ok=True)
    results: list[tuple[str, int, float]] = []
    for name in names:
        print(f"\n=== bench/{name}.py ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.run([sys.executable, str(HERE / f"{name}.py")], cwd=HERE.parent).returncode
        results.append((name, rc, time.perf_counter() - t0))
    print("\n=== summary ===")
    for name, rc, secs in results:
        state = "ok" if rc == 0 else f"FAILED (exit {rc})"
        print(f"{name:<12} {secs:8.1f} s  {state}  bench/out/{name}.json")
    if any(rc for _, rc, _ in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
