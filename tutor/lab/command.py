"""`tutor lab [LAB] [--bootstrap-servers HOST:PORT] [--predict IDS]`: predict, run the real client, compare."""

from __future__ import annotations

import difflib
import re
import signal
import sys
import time
from typing import Any, Callable

from rich.console import Console

from tutor.text.console import console_reader

from .catalog import LABS, Case, Lab
from .client import client_version
from .predict import ask, parse_prediction
from .target import Target

EXIT_AGREE, EXIT_DISAGREE, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
INSTALL_HINT = ("the lab needs the real Kafka client, confluent-kafka: pip install 'kafka-tutor[lab]' "
                "(or, in a checkout, pip install '.[lab]')")
HOST_PORT = re.compile(r"^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$")


Guesser = Callable[[int, Case], "frozenset[int] | None"]


def lab_command(name: str | None, bootstrap_servers: str | None, console: Console | None = None,
                predictions: list[str] | None = None, interactive: bool | None = None) -> int:
    """Run one lab (or list them); the exit status says whether the real client agreed.

    `predictions`: the learner's lost ids, one per case (--predict); without them the learner is asked on a
    terminal, and nothing is asked when stdin is not one.
    """
    console = console or Console()
    if name is None:
        return list_labs(console)
    lab = LABS.get(_by_number(name))
    if lab is None:
        return usage(f"unknown lab {name!r}{_did_you_mean(name)}; `tutor lab` lists them")
    if bootstrap_servers is not None and not HOST_PORT.match(bootstrap_servers):
        return usage(f"--bootstrap-servers takes HOST:PORT[,HOST:PORT...], not {bootstrap_servers!r}")
    try:
        guesser = _guesser(lab, predictions, console, sys.stdin.isatty() if interactive is None else interactive)
    except ValueError as err:
        return usage(f"--predict: {err}")
    client = client_version()
    if client is None:
        return usage(INSTALL_HINT)
    with _sigterm_as_interrupt():
        return run_lab(lab, Target(bootstrap_servers), client, console, guesser)


def _guesser(lab: Lab, predictions: list[str] | None, console: Console, interactive: bool) -> Guesser:
    """Where each case's prediction comes from: --predict (read now, so a bad one stops before any run),
    the terminal, or nowhere."""
    if predictions is not None:
        if len(predictions) != len(lab.cases):
            raise ValueError(f"{lab.name} has {len(lab.cases)} case{'s' if len(lab.cases) != 1 else ''}: "
                             f"give --predict once per case, in order (e.g. --predict 25-29 or --predict none)")
        read = [parse_prediction(text, case) for text, case in zip(predictions, lab.cases)]
        return lambda index, case: read[index - 1]
    if interactive:
        return lambda index, case: ask(case, console_reader(console), lambda line: console.print(f"[red]{line}[/]"))
    return lambda index, case: None


def _by_number(name: str) -> str:
    """A lab's number in the list (1, 2, ...) stands for its name, as `tutor lesson N` takes numbers."""
    names = list(LABS)
    if name.isdigit() and 1 <= int(name) <= len(names):
        return names[int(name) - 1]
    return name


def list_labs(console: Console) -> int:
    """Print each lab's number, name and title."""
    console.print("Labs (run one with `tutor lab N` or `tutor lab NAME`):")
    for n, lab in enumerate(LABS.values(), 1):
        console.print(f"  {n:>2}  [bold]{lab.name:<16}[/] {lab.title}")
    return EXIT_AGREE


def usage(message: str) -> int:
    """One line on stderr; exit status 2."""
    print(f"tutor lab: {message}", file=sys.stderr)
    return EXIT_USAGE


def _did_you_mean(name: str) -> str:
    """"; did you mean auto-commit?" for a near miss."""
    close = difflib.get_close_matches(name, list(LABS), n=1)
    return f"; did you mean {close[0]}?" if close else ""


def run_lab(lab: Lab, target: Target, client: str, console: Console, guesser: Guesser | None = None) -> int:
    """Every case of the lab: the learner's and the simulator's predictions, real run, table and verdict."""
    from tutor.text import lab as view
    from .cluster import LabError
    from .outcome import differences
    from .runner import RealRun
    from .scenarios import predict, unmodelled

    view.header(console, lab, target.describe(), client)
    results: list[bool | None] = []
    guessed = []
    for index, case in enumerate(lab.cases, start=1):
        view.case_header(console, case, index, len(lab.cases))
        guess = guesser(index, case) if guesser else None  # asked before the simulator's answer is shown
        missing = unmodelled(case, target)
        predicted = None if missing else predict(case, target)
        view.prediction(console, predicted, missing)
        started = time.monotonic()
        run = RealRun(case, target)
        try:
            with view.LiveProgress(console) as progress:
                progress.show(f"connecting to {target.describe()}")
                with run:
                    real = run.run(progress)
        except LabError as err:
            console.print(f"[bold red]The real run failed:[/] {err}")
            return EXIT_FAILED
        except KeyboardInterrupt:
            console.print(f"\n[yellow]Interrupted: {_cleanup_words(run)}.[/]")
            return EXIT_INTERRUPTED
        diffs = differences(predicted, real) if predicted else []
        view.comparison(console, predicted, real, diffs, time.monotonic() - started)
        view.record_fates(console, real)
        if guess is not None:
            guessed.append(view.your_prediction(console, guess, predicted, real))
        results.append(None if predicted is None else not diffs)  # None: nothing to compare
    view.summary(console, results, guessed)
    return EXIT_DISAGREE if False in results else EXIT_AGREE


def _cleanup_words(run: Any) -> str:
    """What the interrupted run cleaned up, in words."""
    words = [f"stopped {run.stopped} client process{'es' if run.stopped != 1 else ''}"]
    if run.removed:
        words.append(f"removed topic {', '.join(run.removed)}")
    elif run.target.mock:
        words.append("the mock cluster and its topic are gone with it")
    return "; ".join(words)


class _sigterm_as_interrupt:
    """While running, SIGTERM cleans up like Ctrl+C (kill the clients, delete the topic)."""

    def __enter__(self) -> None:
        """Install the handler (only the main thread may)."""
        self.previous = None
        try:
            self.previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        except ValueError:
            pass

    def __exit__(self, *exc: Any) -> None:
        """Restore the previous handler."""
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _raise_interrupt(signum: int, frame: Any) -> None:
    """Turn a signal into KeyboardInterrupt."""
    raise KeyboardInterrupt
