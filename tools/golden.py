"""Digest every scenario's run (report, every ledger event, step count) to compare the engine before and after a change.

Usage: python tools/golden.py write OUT.json   |   python tools/golden.py compare OUT.json [--ignore-steps]
(--ignore-steps: a change that only drops events which did nothing, such as spare wake-ups, changes the
step count and nothing else.)
A record's `partition` and `offset` fields are left out of the digest, so a one-partition run must
digest the same with or without them. Runs each scenario file with its own seed and with seeds 1 and 2.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.lessons.parse import load_lesson  # noqa: E402
from tutor.scenario.loader import load_scenario  # noqa: E402
from tutor.sim.simulation import Simulation  # noqa: E402

IGNORED = ("partition", "offset")  # fields a one-partition run may gain


def scenarios() -> list[tuple[str, Any]]:
    """(name, Scenario) for every scenario file and every lesson's starting scenario."""
    out = []
    for folder in ("tests/scenarios", "tutor/data/scenarios"):
        for path in sorted((ROOT / folder).glob("*.toml")):
            out.append((f"{folder}/{path.name}", load_scenario(path)))
    for path in sorted((ROOT / "tutor/data/lessons").glob("*.toml")):
        out.append((f"lesson {path.name}", load_lesson(path).scenario))
    return out


def digest(scenario: Any, seed: int | None) -> dict[str, Any]:
    """One run's fingerprint: a hash of the report without the ignored fields, and of the event log."""
    sim = Simulation(scenario, seed)
    report = sim.run_to_end().to_json()
    for m in report["messages"]:
        for key in IGNORED:
            m.pop(key, None)
    summary = {k: v for k, v in report["summary"].items() if k != "partitions"}
    events = [(e.t, e.kind, e.text) for e in sim.ledger.events]
    h = hashlib.sha256(json.dumps([report["messages"], report["timeline"], summary, report["end_ms"]],
                                  sort_keys=True, default=str).encode()).hexdigest()
    e = hashlib.sha256(json.dumps(events, default=str).encode()).hexdigest()
    return {"report": h, "events": e, "steps": sim.loop.steps, "summary": summary}


def collect() -> dict[str, Any]:
    """Every scenario with its own seed and seeds 1 and 2."""
    out = {}
    for name, sc in scenarios():
        for seed in (None, 1, 2):
            out[f"{name} seed={seed}"] = digest(sc, seed)
    return out


def main() -> int:
    """write or compare."""
    mode, path = sys.argv[1], Path(sys.argv[2])
    now = collect()
    if mode == "write":
        path.write_text(json.dumps(now, indent=1, sort_keys=True))
        print(f"{len(now)} runs written to {path}")
        return 0
    before = json.loads(path.read_text())
    if "--ignore-steps" in sys.argv[3:]:
        for runs in (before, now):
            for run in runs.values():
                run.pop("steps", None)
    bad = [k for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)]
    for k in bad:
        print(f"DIFFERS: {k}\n  before {before.get(k)}\n  now    {now.get(k)}")
    print(f"{len(now)} runs, {len(bad)} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
