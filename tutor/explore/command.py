"""`tutor explore` and `tutor export`: load, run or convert, and print; bad input is one line and exit 2."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from tutor.scenario import ScenarioError, load_scenario

from .metrics import csv_header, csv_row, rows_to_json
from .runner import SchedulerError, explore, tasks
from .sweep import Sweep, default_sweep, load_sweep

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def explore_command(args: argparse.Namespace) -> int:
    """Run the sweep (the file's, or the built-in one) and print the table and chart, JSON or CSV."""
    if args.workers is not None and args.workers < 1:
        print(f"--workers takes a number >= 1, not {args.workers}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        sweep = load_sweep(args.sweep) if args.sweep else default_sweep()
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        rows = _run(sweep, args.workers, args.scheduler)
    except SchedulerError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.chart:
        if not _write_chart(sweep, rows, args.chart):
            return EXIT_BAD_INPUT
    if args.json:
        print(json.dumps(rows_to_json(rows), indent=2))
    elif args.csv:
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(csv_header(rows))
        out.writerows(csv_row(r) for r in rows)
    else:
        from .view import print_results

        print_results(sweep, rows)
    return EXIT_OK


def _run(sweep: Sweep, workers: int | None, scheduler: str | None) -> list:
    """Run every configuration x fault x seed, with a progress bar on a terminal."""
    from .view import progress_bar

    with progress_bar(f"{len(tasks(sweep))} runs") as progress:
        return explore(sweep, workers, progress, scheduler)


def _write_chart(sweep: Sweep, rows: list, path: str) -> bool:
    """Write the SVG chart; a path that cannot be written is one line on stderr."""
    from .chart import svg_chart, write_atomic

    try:
        write_atomic(path, svg_chart(rows, sweep.title))
    except OSError as err:
        print(f"{path}: cannot write: {(err.strerror or str(err)).lower()}", file=sys.stderr)
        return False
    print(f"wrote {path}", file=sys.stderr)
    return True


def export_command(args: argparse.Namespace) -> int:
    """Print a scenario's Kafka settings in the chosen format."""
    from tutor.export import export_notes, export_text

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    print(export_text(scenario, args.format, include_defaults=args.all), end="")
    for note in export_notes(scenario, args.format, include_defaults=args.all):
        print(f"note: {note}", file=sys.stderr)
    return EXIT_OK
