"""The `tutor` command: run a scenario and report what was lost, or check scenario files."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sys
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from tutor import __version__

if TYPE_CHECKING:  # the scenario loader and the engine load with the commands that use them: the menu opens sooner
    from tutor.sim.spec import Scenario

EXIT_OK, EXIT_EXPECT_FAILED, EXIT_BAD_FILE, EXIT_STEP_BUDGET, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, as a shell reports it


def build_parser() -> argparse.ArgumentParser:
    """The argument parser: `tutor`, `tutor run FILE`, `tutor check FILE...`."""
    parser = argparse.ArgumentParser(
        prog="tutor", description="Shows how Apache Kafka loses messages, and how to stop it. "
        "Without a command, opens the terminal app (or, when not on a terminal, runs the built-in demo).")
    parser.add_argument("--version", action="version", version=f"tutor {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="run a scenario file and report what was lost", description=(
        "Run a scenario file to its end (the run settles, every stopped node restarts) and print its title, "
        "description and report: what was acknowledged, processed, duplicated and lost, and why. Exit "
        "status 1 when the file's [expect] section is not met, 2 for a bad file."))
    run.add_argument("scenario", metavar="SCENARIO.toml", help="a scenario file (see docs/scenarios.md)")
    run.add_argument("--json", action="store_true", help="print the report as one JSON object")
    run.add_argument("--seed", type=int, metavar="N", help="random seed (overrides the file's seed)")
    check = commands.add_parser("check", help="check scenario files, and lesson files or folders (each "
                                "answer key is played against the engine)", description=(
        "Check scenario files, and lesson files or folders: each file gets `ok FILE` or one line per problem; "
        "a lesson's answer key is played against the engine. Exit status 2 when any file has a problem."))
    check.add_argument("files", nargs="+", metavar="FILE", help="scenario or lesson files, or folders of lessons")
    add_lesson_parsers(commands)
    sandbox = commands.add_parser("sandbox", help="open the interactive sandbox (on a scenario file, if given)",
                                  description="Open the interactive sandbox: a live cluster to break with keys, "
                                  "settings to change as it runs, time to scrub. ? lists every key.")
    sandbox.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                         help="start from this scenario file (default: a healthy three-broker cluster)")
    sandbox.add_argument("--seed", type=int, metavar="N", help="random seed (overrides the file's seed)")
    add_serve_parser(commands)
    add_explore_parsers(commands)
    lab = commands.add_parser("lab", help="reproduce a loss with the real Kafka client (needs confluent-kafka)",
                              description="Reproduce a loss with the real Kafka client: predict what happens, "
                              "run the client, and compare with the model. Without a lab, list them.")
    lab.add_argument("lab", nargs="?", metavar="LAB", help="a lab's number or name from the list; without one, "
                     "list them")
    lab.add_argument("--bootstrap-servers", metavar="HOST:PORT",
                     help="run against this Kafka cluster (default: librdkafka's embedded mock cluster)")
    lab.add_argument("--predict", metavar="IDS", action="append",
                     help="your prediction of the record ids lost, e.g. 25-29 or none; once per case, in order "
                     "(without it you are asked on a terminal)")
    return parser


def add_lesson_parsers(commands: Any) -> None:
    """`tutor lessons`, `tutor lesson N`, `tutor quiz [N]`, `tutor progress` (see tutor.text.commands)."""
    menu = commands.add_parser("lessons", help="the lessons with your progress and what to take next, in the app "
                               "(--text, or not on a terminal: printed)",
                               description="The lessons, with your progress and what to take next: in the app, "
                               "or printed with --text (or when not on a terminal).")
    lesson = commands.add_parser("lesson", help="take a lesson (a number or an id) in the app (--text, or not on a "
                                 "terminal: in text mode)",
                                 description="Take one lesson: in the app, or in text mode with --text (or when "
                                 "not on a terminal). Your answers are saved as you go.")
    lesson.add_argument("ref", metavar="N", help="the lesson's number in `tutor lessons`, or its id")
    for sub in (menu, lesson):
        sub.add_argument("--text", action="store_true", help="text mode instead of the app")
    quiz = commands.add_parser("quiz", help="only the questions of one lesson (or all), with a score",
                               description="Only the questions of one lesson (or of all), in text, with a score.")
    quiz.add_argument("ref", nargs="?", metavar="N", help="the lesson's number or id (default: every lesson)")
    progress = commands.add_parser("progress", help="your progress; --export csv|json for an instructor",
                                   description="Your progress through the lessons; --export writes it as CSV "
                                   "or JSON for an instructor.")
    progress.add_argument("--export", choices=("csv", "json"), help="write the progress as CSV or JSON")
    progress.add_argument("--output", metavar="FILE", help="write the export to FILE instead of stdout")
    progress.add_argument("--score", choices=("first", "best", "last"), default="first",
                          help="which attempt counts for the export's scores (default: first); the export says which")
    progress.add_argument("--reset", nargs="?", const="", metavar="LESSON",
                          help="forget the progress of one lesson (a number or an id), or of every lesson without one")
    progress.add_argument("--yes", action="store_true",
                          help="reset without asking (needed when not on a terminal)")
    from tutor.classroom.command import add_class_parsers, add_identity_options

    for sub in (menu, lesson, quiz, progress):
        sub.add_argument("--lessons", metavar="DIR", help="a folder of lesson files (default: the shipped ones)")
        add_identity_options(sub)
    add_class_parsers(commands)


def add_explore_parsers(commands: Any) -> None:
    """`tutor explore [SWEEP.toml] ...` and `tutor export SCENARIO.toml --format F [--all]`."""
    explore = commands.add_parser("explore", help="run a sweep of settings under a suite of faults and show the "
                                  "trade-off between latency and acknowledged loss (without a file: the built-in "
                                  "sweep)", description=(
        "Run every combination of the settings a sweep file names under a suite of failures and several "
        "seeds, and print one row per configuration: produce latency, throughput, what each failure cost, the "
        "promise it keeps, and the Pareto frontier of latency against acknowledged loss."))
    explore.add_argument("sweep", nargs="?", metavar="SWEEP.toml",
                         help="the sweep file (default: the built-in sweep; see docs/explore.md)")
    output = explore.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help='print {"rows": [...]}, one row per configuration')
    output.add_argument("--csv", action="store_true", help="print one CSV line per configuration")
    explore.add_argument("--workers", type=int, metavar="N", help="processes to run on (default: every core)")
    explore.add_argument("--chart", metavar="FILE.svg", help="also write the Pareto chart as an SVG image")
    explore.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask cluster whose scheduler listens "
                         "here, e.g. tcp://10.0.0.5:8786 (needs the dask extra; its workers need tutor)")
    export = commands.add_parser("export", help="print a scenario's Kafka settings as real configuration",
                                 description="Print a scenario's Kafka settings as real configuration: Java client "
                                 "properties, a confluent-kafka dict, server.properties lines or a kafka-topics "
                                 "command.")
    export.add_argument("scenario", metavar="SCENARIO.toml", help="the scenario whose settings to export")
    export.add_argument("--format", required=True, choices=("java", "librdkafka", "broker", "topic"),
                        help="java: client .properties; librdkafka: confluent-kafka JSON; broker: "
                        "server.properties; topic: a kafka-topics command line")
    export.add_argument("--all", action="store_true", help="include the settings left at their defaults")


def add_serve_parser(commands: Any) -> None:
    """`tutor serve [SCENARIO.toml] [--seed N] [--host H] [--port P] [--public-url URL]`."""
    serve = commands.add_parser("serve", help="serve the app to web browsers (on 127.0.0.1 unless --host); "
                                "with a scenario file, its sandbox",
                                description="Serve the app to web browsers, each with its own session: the menu, "
                                "or with a scenario file its sandbox.")
    serve.add_argument("scenario", nargs="?", metavar="SCENARIO.toml", help="serve this scenario's sandbox")
    serve.add_argument("--seed", type=int, metavar="N", help="random seed (overrides the file's seed)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every interface)")
    serve.add_argument("--port", default="8000", help="port to listen on, 1 to 65535 (default 8000)")
    serve.add_argument("--max-sessions", default="8", metavar="N",
                       help="browser tabs served at once, each a tutor process of about 70 MB (default 8)")
    serve.add_argument("--class", dest="class_name", metavar="NAME",
                       help="serve a class: each tab is one student, their progress kept in the class's folder; "
                       "prints the links for students and for the instructor's live view")
    serve.add_argument("--public-url", metavar="URL",
                       help="the address browsers use, when it is not http://HOST:PORT (e.g. behind a proxy)")


def serve_app(args: argparse.Namespace) -> int:
    """`tutor serve`: a bad port, cap or scenario file fails here, in one line, before anything listens."""
    from tutor.scenario import ScenarioError, load_scenario
    from tutor.scenario.safe import printable
    from tutor.serve import port_problem

    problem = port_problem(args.port)
    if problem is None and not (args.max_sessions.isdigit() and 1 <= int(args.max_sessions) <= 1000):
        problem = f"tutor serve: --max-sessions takes a number from 1 to 1000, not {args.max_sessions!r}"
    if problem:
        print(printable(problem, one_line=True), file=sys.stderr)
        return EXIT_BAD_FILE
    if args.class_name is not None:
        from tutor.classroom import ClassError, slug

        try:
            slug(args.class_name, "class")
        except ClassError as err:
            print(f"tutor serve: {err}", file=sys.stderr)
            return EXIT_BAD_FILE
        if args.scenario is not None:
            print("tutor serve: a class is served from the main menu; leave out the scenario file", file=sys.stderr)
            return EXIT_BAD_FILE
    if args.scenario is not None:
        try:
            load_scenario(args.scenario)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            return EXIT_BAD_FILE
    from tutor.serve import serve

    return serve(args.host, int(args.port), args.scenario, args.seed, args.public_url, int(args.max_sessions),
                 args.class_name)


class RunAborted(Exception):
    """The simulation stopped before the end (its step budget ran out)."""


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived: stop as Ctrl+C does, and say so."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `tutor` console script; returns the exit status."""
    if argv is None:  # the console script (not a caller inside Python): a signal stops it with a word
        on_termination()
    try:
        return dispatch(build_parser().parse_args(argv))
    except KeyboardInterrupt:
        return stopped("interrupted", EXIT_INTERRUPTED, fast=argv is None)
    except Terminated as sig:
        return stopped(f"stopped by {sig}", EXIT_TERMINATED, fast=argv is None)
    except BrokenPipeError:  # e.g. `tutor run x.toml --json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


#: the terminal app while it runs: a signal asks it to quit (so that it restores the terminal)
_RUNNING: dict[str, Any] = {}


def run_app(app: Any) -> None:
    """Run the terminal app; SIGTERM or SIGHUP meanwhile quits it cleanly."""
    _RUNNING["app"] = app
    try:
        app.run()
    finally:
        _RUNNING.pop("app", None)
    if "signal" in _RUNNING:  # the app quit because of a signal: say so, with its status
        raise Terminated(_RUNNING.pop("signal"))


def on_termination() -> None:
    """SIGTERM and SIGHUP raise Terminated in the main thread, or quit the running app (a server sets its own)."""
    def handler(signum: int, frame: Any) -> None:
        """Quit the app if one runs, else stop the command."""
        app = _RUNNING.get("app")
        if app is not None:
            import asyncio

            with suppress(RuntimeError):  # the app's loop is not running yet, or no longer
                asyncio.get_running_loop().call_soon_threadsafe(app.exit)
                _RUNNING["signal"] = signal.Signals(signum).name
                return
        raise Terminated(signal.Signals(signum).name)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), handler)


def stopped(word: str, status: int, fast: bool) -> int:
    """Say why the command stopped; from the console script, exit at once (a large run's memory is not
    worth freeing piece by piece, which took seconds)."""
    print(f"\ntutor: {word}", file=sys.stderr)
    if fast:
        with suppress(Exception):
            sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def dispatch(args: argparse.Namespace) -> int:
    """Run the chosen command."""
    if args.command == "check":
        return check_files(args.files)
    if args.command == "run":
        return run_file(args.scenario, args.seed, args.json)
    if args.command == "lab":
        from tutor.lab.command import lab_command

        return lab_command(args.lab, args.bootstrap_servers, predictions=args.predict)
    if args.command == "sandbox":
        return open_app(args.scenario, args.seed)
    if args.command in ("explore", "export"):
        from tutor.explore.command import explore_command, export_command

        return explore_command(args) if args.command == "explore" else export_command(args)
    if args.command == "serve":
        return serve_app(args)
    if args.command == "class":
        from tutor.classroom.command import class_command

        return class_command(args)
    if args.command in ("lessons", "lesson", "quiz", "progress"):
        from tutor.classroom.command import class_identity

        with class_identity(args) as refused:  # --class NAME --student NAME: that student's file
            return refused if refused is not None else lesson_commands(args)
    if on_terminal():
        return open_app(None, None, start="menu")
    from tutor.scenario import builtin_scenario

    return run_scenario(builtin_scenario("demo"), None, as_json=False)


def lesson_commands(args: argparse.Namespace) -> int:
    """`tutor lessons|lesson|quiz|progress`: the app on a terminal, else text."""
    if args.command in ("lessons", "lesson") and not args.text and on_terminal():
        return open_lessons(args.lessons, getattr(args, "ref", None))
    from tutor.scenario.safe import printable
    from tutor.sim.simulation import StepBudgetExceeded
    from tutor.text.commands import dispatch as lesson_dispatch

    try:
        return lesson_dispatch(args)
    except StepBudgetExceeded as err:  # a lesson's run that does not settle: said, not a traceback
        print(printable(str(err), one_line=True), file=sys.stderr)
        return EXIT_STEP_BUDGET


def on_terminal() -> bool:
    """Are both stdin and stdout a terminal (else commands print text)?"""
    return sys.stdin.isatty() and sys.stdout.isatty()


def open_lessons(folder: str | None, ref: str | None) -> int:
    """The app at the lessons menu, or on lesson `ref`; a lesson that cannot open is one line, exit 2."""
    from tutor.lessons import load_catalog

    catalog = load_catalog(folder)
    if ref is not None:
        try:
            item = catalog.find(ref)
        except KeyError:
            print(f"no lesson {ref!r}: give a number from `tutor lessons` or a lesson id", file=sys.stderr)
            return EXIT_BAD_FILE
        if not item.ok:
            print(item.error or f"{item.path}: {item.problems[0]}", file=sys.stderr)
            return EXIT_BAD_FILE
    from tutor.ui.app import make_app

    run_app(make_app(start="lessons", lessons=folder, lesson=ref, catalog=catalog))
    return EXIT_OK


def open_app(path: str | None, seed: int | None, start: str = "sandbox") -> int:
    """Open the terminal app: the sandbox on a scenario file (a bad file fails before it starts), or the menu."""
    scenario = None
    if path is not None:
        from tutor.scenario import ScenarioError, load_scenario

        try:
            scenario = load_scenario(path)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            return EXIT_BAD_FILE
    from tutor.ui.app import make_app

    run_app(make_app(scenario, seed, start=start))
    return EXIT_OK


def check_files(paths: Sequence[str]) -> int:
    """Print `ok FILE` for each good file and the error lines for each bad one (folders and lessons too)."""
    from tutor.lessons.check import check_paths

    return check_paths(list(paths), scenario_problem)


def scenario_problem(path: str) -> str | None:
    """The error line of a scenario (or sweep) file, or None when it is good."""
    from tutor.explore.sweep import is_sweep_file, load_sweep
    from tutor.scenario import ScenarioError, load_scenario

    try:
        load_sweep(path) if is_sweep_file(path) else load_scenario(path)
    except ScenarioError as err:
        return str(err)
    return None


def run_file(path: str, seed: int | None, as_json: bool) -> int:
    """Load a scenario file and run it; a bad file is one line on stderr."""
    from tutor.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(path)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_FILE
    return run_scenario(scenario, seed, as_json)


def run_scenario(scenario: Scenario, seed: int | None, as_json: bool) -> int:
    """Run to the end, print the report, and check [expect]."""
    from tutor.scenario.safe import printable

    try:
        report = simulate(scenario, seed)
    except RunAborted as err:
        print(printable(str(err), one_line=True), file=sys.stderr)  # the engine's message names the scenario
        return EXIT_STEP_BUDGET
    failures = report.check(scenario.expect) if scenario.expect else None
    show_report(report, failures, as_json, scenario.description)
    if not failures:
        return EXIT_OK
    if as_json:  # the report on stdout says it too, but scripts read stderr
        print(f"{scenario.source}: {plural(len(failures), 'expectation')} failed: {'; '.join(failures)}",
              file=sys.stderr)
    return EXIT_EXPECT_FAILED


def plural(n: int, word: str) -> str:
    """"1 expectation", "2 expectations"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def simulate(scenario: Scenario, seed: int | None) -> Any:
    """Run the scenario to its end and return the engine's Report (a progress line on stderr when it is a
    terminal)."""
    from tutor.sim.simulation import Simulation, StepBudgetExceeded

    sim = Simulation(scenario, seed=seed)
    watcher = ProgressLine(sim, sys.stderr) if sys.stderr.isatty() else None
    try:
        return sim.run_to_end()
    except StepBudgetExceeded as err:
        raise RunAborted(str(err)) from None
    finally:
        if watcher is not None:
            watcher.stop()


class ProgressLine:
    """While a long run works, a line on stderr (rewritten in place) says how far it got; it only reads
    the run, from another thread, so the result is the same with or without it."""

    DELAY_S, EVERY_S = 0.5, 0.2  # short runs print nothing

    def __init__(self, sim: Any, stream: Any) -> None:
        import threading

        self.sim, self.stream, self.shown = sim, stream, False
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="tutor-progress", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        """Every EVERY_S after DELAY_S: the simulated time, records sent, and the phase."""
        if self.done.wait(self.DELAY_S):
            return
        while not self.done.is_set():
            sim = self.sim
            phase = {"recovering": " · final recovery"}.get(sim.phase, "")
            line = (f"simulating… {sim.now / 1000:,.1f} s simulated · {len(sim.ledger):,} of "
                    f"{sim.workload_size():,} records sent{phase}")
            self.stream.write("\r" + line + "\x1b[K")
            self.stream.flush()
            self.shown = True
            self.done.wait(self.EVERY_S)

    def stop(self) -> None:
        """Stop and clear the line."""
        self.done.set()
        self.thread.join()
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def write_json(data: dict[str, Any], out: Any) -> None:
    """Print an object as json.dumps(data, indent=2) would, one top-level value at a time and a list's
    items a thousand at a time (a large run's report is tens of megabytes, and its entries are built as
    read), or as the text the list gives for them (a report's entries give most of theirs as text: no dict
    is built for those). JSON text never holds a raw newline, so nesting is adding indentation after each
    one. The cyclic collector is paused meanwhile: the entries die as soon as they are written, and with a
    large run's objects alive beside them its collections would cost as much as the writing."""
    from tutor.sim.core import gc_paused

    with gc_paused():
        _write_json(data, out)


def _write_json(data: dict[str, Any], out: Any) -> None:
    """write_json's work."""
    encode = json.JSONEncoder(indent=2).encode
    out.write("{")
    for i, (key, value) in enumerate(data.items()):
        out.write(("," if i else "") + "\n  " + encode(key) + ": ")
        if isinstance(value, Sequence) and not isinstance(value, (str, tuple)) and value:
            for n, part in enumerate(_list_parts(value)):
                out.write(("," if n else "[") + (part if isinstance(part, str) else _list_items(part, encode)))
            out.write("\n  ]")
        else:
            out.write(encode(value).replace("\n", "\n  "))
    out.write("\n}\n" if data else "}\n")


def _list_parts(value: Sequence[Any]) -> Iterator[str | list[Any]]:
    """A top-level list's items in order, as lists of a thousand items or less, or (from a list that offers
    json_items, such as a report's entries) partly as the text _list_items would give for them."""
    if hasattr(value, "json_items"):
        yield from value.json_items(ITEM_INDENT)
        return
    items = iter(value)
    while chunk := list(itertools.islice(items, 1000)):
        yield chunk


ITEM_INDENT = "    "  # where a top-level list's items start, in json.dumps(indent=2)'s layout
#: flat objects at the depth of a report's list items, as indent=2 lays them out, by the C encoder: its
#: item separator carries the newline and indentation (the indenting encoder is pure Python, and slow)
_FLAT = json.JSONEncoder(separators=(",\n      ", ": ")).encode
_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))
_BETWEEN_FLAT = "},\n      {"  # where two flat objects meet in _FLAT's text of a list of them


def _list_items(chunk: list[Any], encode: Any) -> str:
    """Items of a top-level list, each on a new line indented as json.dumps(indent=2) does at that depth, with
    a comma between two (the caller writes what comes before the first: "[", or "," after an earlier chunk). A chunk of flat objects (a report's entries) is
    encoded by one call of the C encoder, whose text only needs the objects' braces put on lines of their
    own: a string in it never holds a raw newline, so the separator cannot occur inside one."""
    if all(_is_flat(item) for item in chunk):
        body = _FLAT(chunk)[2:-2]  # without "[{" and "}]"
        return "\n    {\n      " + body.replace(_BETWEEN_FLAT, "\n    },\n    {\n      ") + "\n    }"
    return ",".join("\n    " + encode(item).replace("\n", "\n    ") for item in chunk)


def _is_flat(item: Any) -> bool:
    """A non-empty object whose values are plain scalars (a subclass of one takes the general path)."""
    return type(item) is dict and bool(item) and _SCALAR_TYPES.issuperset(map(type, item.values()))


def show_report(report: Any, failures: list[str] | None, as_json: bool, description: str = "") -> None:
    """Print the report as JSON (one object) or as a Rich report."""
    if as_json:
        data = report.to_json(lazy=True)
        if failures is not None:
            data["expect"] = {"failed": failures, "ok": not failures}
        write_json(data, sys.stdout)
        return
    from tutor.text.report import print_report

    print_report(report, failures=failures, description=description)
