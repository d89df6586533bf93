"""The lab on the terminal: the prediction, live progress of the real run, the table and the verdict."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.status import Status
from rich.table import Table
from rich.text import Text

from tutor.lab.catalog import Case, GroupRun, Lab
from tutor.lab.outcome import GROUP_IDS, Outcome, RecordFate, rows_for, span
from tutor.lab.predict import group_score, score


def header(console: Console, lab: Lab, where: str, client: str) -> None:
    """The lab's title, what it shows, and which client runs against which cluster."""
    console.rule(f"[bold]lab {lab.name}[/]: {lab.title}")
    console.print(lab.description)
    console.print(f"[dim]Real client: {client}, against {where}. The simulator's rules: "
                  f"{', '.join(lab.facts)} in docs/model.md.[/]")


def case_header(console: Console, case: Case, index: int, total: int) -> None:
    """Which case this is and what its real run does."""
    console.print()
    console.print(f"[bold]Case {index} of {total}: {case.name}[/] ({case.title})")
    console.print(f"[dim]{case.setup}[/]")
    if isinstance(case.run, GroupRun):
        where = "; ".join(f"partition {p}: ids {span(ids)}" for p, ids in case.run.placement().items())
        console.print(f"[dim]Records by partition, in offset order: {where}.[/]")


def outcome_line(outcome: Outcome) -> str:
    """"lost 25-29; duplicated none", with partitions and offsets for a group run."""
    return f"lost {outcome.cell('lost')}; duplicated {outcome.cell('duplicated')}"


def prediction(console: Console, outcome: Outcome | None, missing: str | None = None) -> None:
    """What the simulator predicts, before the real client runs; or, in one line, why it cannot."""
    if outcome is None:
        console.print(f"[cyan]Simulator predicts:[/] nothing: {escape(missing or '')}.")
    else:
        console.print(f"[cyan]Simulator predicts:[/] {outcome_line(outcome)}")


class LiveProgress:
    """A spinner line saying what the real run waits for, with the seconds it has waited."""

    def __init__(self, console: Console) -> None:
        """Not shown until the with block is entered."""
        self.console = console
        self.text = "starting"
        self.since = time.monotonic()
        self.status: Status | None = None

    def __rich__(self) -> Text:
        """Redrawn on every refresh, so the seconds count up while nothing else moves."""
        return Text(f"{self.text}  {time.monotonic() - self.since:.1f} s")

    def show(self, text: str) -> None:
        """Replace the line (the clock restarts when the situation changes)."""
        if text.split(":")[0] != self.text.split(":")[0]:
            self.since = time.monotonic()
        self.text = text

    def note(self, text: str) -> None:
        """A line that stays above the spinner."""
        self.console.print(f"  [yellow]{text}[/]")

    def __enter__(self) -> "LiveProgress":
        """Start the spinner."""
        self.status = self.console.status(self)
        self.status.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        """Stop the spinner (it leaves no trace)."""
        if self.status is not None:
            self.status.__exit__(*exc)


def comparison(console: Console, predicted: Outcome | None, real: Outcome, diffs: list[str],
               seconds: float) -> None:
    """The side-by-side table and the verdict (none without a prediction)."""
    console.print(f"[magenta]Real client:[/] {outcome_line(real)}  [dim](ran {seconds:.1f} s)[/]")
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("")
    table.add_column("simulator", style="cyan")
    table.add_column("real client", style="magenta")
    if diffs:
        table.add_column("")
    for field, label in rows_for(real):
        model = predicted.cell(field) if predicted else "-"
        same = predicted is None or predicted.value(field) == real.value(field)
        mark = [] if not diffs else ["" if same else "[bold red]differs[/]"]
        table.add_row(label, model, real.cell(field), *mark)
    if real.owners:  # shown, not compared
        for field, label in GROUP_IDS:
            table.add_row(f"[dim]{label} (not compared)[/]", predicted.cell(field) if predicted else "-",
                          real.cell(field), *([""] if diffs else []))
    console.print(table)
    console.print(verdict(diffs) if predicted else Text.from_markup(
        "[bold]No verdict[/] - the simulator made no prediction to compare with."))
    if real.unsettled:
        console.print(f"[yellow]Not this case's setup:[/] on the lab's last attempt (a new group each time), "
                      f"{escape('; '.join(real.unsettled))}, and the run went on. A rebalance before the kill "
                      "moves what consumer-1 had processed and committed (it may process records twice, and "
                      "its batch may hold records it had processed already), so the simulator's prediction "
                      "is not for this run. Run the lab again, on a less busy machine if you can.")
    if predicted and real.owners and predicted.lost != real.lost:
        console.print("[dim]The ids differ: which of its partitions a member's first fetch brings varies from "
                      "run to run (on the mock cluster, with the broker that answers first), so the verdict "
                      "compares how many records were lost or processed twice, and at which offsets of whose "
                      "partitions.[/]")


def record_fates(console: Console, real: Outcome) -> None:
    """Per partition, by offset: who processed each record, which were processed twice, which never."""
    if not real.records:
        return
    table = Table(show_edge=False, pad_edge=False, title="Each record, by partition and offset",
                  title_justify="left")
    for column in ("partition", "processed once", "processed twice", "never processed"):
        table.add_column(column)
    for partition in sorted({r.partition for r in real.records}):
        rows = [r for r in real.records if r.partition == partition]
        table.add_row(str(partition), _once(rows), _fates(rows, "duplicated"), _fates(rows, "lost"))
    console.print(table)


def _once(rows: list[RecordFate]) -> str:
    """"offsets 0-7 by consumer-1"; one phrase per member."""
    members = sorted({r.by[0] for r in rows if r.fate == "processed"})
    return "; ".join(f"offsets {span([r.offset for r in rows if r.fate == 'processed' and r.by[0] == m])} by {m}"
                     for m in members) or "none"


def _fates(rows: list[RecordFate], fate: str) -> str:
    """"offsets 8-9 (ids 25, 28)", or "none"."""
    picked = [r for r in rows if r.fate == fate]
    if not picked:
        return "none"
    who = f" by {' and '.join(sorted(set(picked[0].by)))}" if fate == "duplicated" else ""
    return f"offsets {span([r.offset for r in picked])} (ids {span([r.id for r in picked])}){who}"


def verdict(diffs: list[str]) -> Text:
    """"Verdict: agree" or "Verdict: DISAGREE" with each difference."""
    if not diffs:
        return Text.from_markup("[bold green]Verdict: agree[/] - the real client did what the simulator "
                                "predicted.")
    return Text.from_markup("[bold red]Verdict: DISAGREE[/] - " + "; ".join(diffs))


def your_prediction(console: Console, guess: frozenset[int], predicted: Outcome | None, real: Outcome) -> bool:
    """The learner's lost ids scored against the real client's, beside the simulator's; True if exact (for a
    group case: the right count at the right place)."""
    judge = (lambda ids: group_score(ids, real)) if real.owners else (lambda ids: score(ids, real.lost))
    yours = judge(guess)
    style = "green" if yours.exact else "yellow"
    console.print("[bold]Your prediction[/], scored against the real client:")
    table = Table(show_edge=False, pad_edge=False)
    for column in ("", "lost ids", "score"):
        table.add_column(column)
    table.add_row("[bold]you[/]", span(sorted(guess)), f"[bold {style}]{yours.words()}[/]")
    if predicted is None:
        table.add_row("[cyan]simulator[/]", "-", "no prediction")
    else:
        table.add_row("[cyan]simulator[/]", span(predicted.lost), judge(predicted.lost).words())
    table.add_row("[magenta]real client[/]", real.cell("lost"), "")
    console.print(table)
    if real.owners:
        console.print("[dim]A group case scores the count and the place (offsets of whose partitions) first: "
                      "which of the killed member's partitions loses them varies from run to run.[/]")
    return yours.exact


def summary(console: Console, results: list[bool | None], guessed: list[bool] | None = None) -> None:
    """How many cases agreed (of those the simulator predicted), when a lab has more than one; how many of
    the learner's predictions were exact."""
    compared = [r for r in results if r is not None]
    if len(compared) > 1:
        agreed = sum(compared)
        style = "green" if agreed == len(compared) else "red"
        console.print(f"\n[bold {style}]{agreed} of {len(compared)} cases agree.[/]")
    if guessed and len(results) > 1:
        console.print(f"[bold]Your predictions: {sum(guessed)} of {len(guessed)} exact.[/]")
