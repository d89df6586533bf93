"""The text-mode lesson player and quiz (Rich): title cards, narration, steps back and forth, questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.align import Align
from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from tutor.lessons.answers import parse_action, parse_answer, parse_settings, save_run
from tutor.lessons.catalog import Catalog, Item
from tutor.lessons.judge import Verdict, letter
from tutor.lessons.model import Lesson, Question
from tutor.lessons.progress import ProgressStore
from tutor.lessons.measures import amount
from tutor.lessons.reveal import figure_parts, state_lines, untold
from tutor.lessons.run import QUESTION, WAIT, LessonRun, Result

from .console import Reader, console_reader

HELP = "Enter next · b back · t contents · j N jump to step N · q quit"
CHALLENGE_TRIES = 3  # quiz mode: attempts before the solution is shown


class Quit(Exception):
    """The learner quit (q, or the end of the input)."""


# --- drawing -------------------------------------------------------------------------------
def title_card(lesson: Lesson, number: int, subtitle: str) -> Panel:
    """A big, clear card between steps, for a projector."""
    title = Text(lesson.title.upper(), style="bold", justify="center")
    return Panel(Align.center(Group(title, Text(subtitle, justify="center", style="dim"))),
                 title=f"Lesson {number}", padding=(1, 4), border_style="cyan")


def status_line(run: LessonRun) -> Text:
    """The live run in one line: time, leader, ISR, HW and the record counts an open question does not ask about."""
    snap, live, held = run.snapshot, run.live(), run.held()
    leader = snap.leader or "none (offline)"
    counts = snap.counts
    parts = [f"t = {snap.t:,.0f} ms", f"leader {leader}", f"ISR {{{', '.join(snap.isr)}}}"]
    if "hw" not in held:
        parts.append(f"HW {live.value('hw'):,.0f}")
    parts += figure_parts({k: counts[k] for k in ("sent", "acked", "lost", "lost_acked")}, held)
    return Text(" · ".join(parts), style="green")


def state_block(run: LessonRun) -> Panel:
    """The state a question is asked about: per broker log end, HW, flushed offset, ISR; producer and consumer."""
    return Panel(Text("\n".join(state_lines(run.snapshot, run.held()))), title="The run now", border_style="green")


def question_panel(q: Question) -> Panel:
    """The question, its choices, and how to answer."""
    parts: list[Any] = [Markdown(q.prompt)]
    if q.kind == "choice":
        parts += [Text(f"  {letter(i)}) {c.text}") for i, c in enumerate(q.choices)]
    how = {"choice": "a letter", "number": "a number", "pick": "record ids, e.g. 25-29, 40",
           "challenge": "settings, e.g. producer.acks=all"}[q.kind]
    hint = " · h hint" if q.hints else ""  # offered only where the lesson has one
    parts.append(Text(f"Answer with {how}{hint} · s show me", style="dim"))
    return Panel(Group(*parts), title=f"Question ({q.kind})", border_style="yellow")


def verdict_panel(v: Verdict, played: str | None = None) -> Panel:
    """Right or not, the engine's truth, the explanation, and (challenges) par and best."""
    head = ("Shown" if v.shown else "Right!" if v.correct else
            "Not yet - try again" if not v.final else "Not quite")
    parts: list[Any] = [Text(f"The engine says: {v.truth}", style="bold")]
    parts += [Text(n) for n in v.notes if n not in v.truth]  # a refusal is said once
    if v.best is not None:
        parts.append(Text(f"your best: {amount(v.best)}"))
    if v.final:
        parts.append(Markdown(v.explanation))
    if played:
        parts.append(Text(played, style="dim"))  # the run's end, without what a later question asks
    style = "green" if v.correct else "blue" if v.shown or not v.final else "red"
    return Panel(Group(*parts), title=head, border_style=style)


def toc_table(run: LessonRun) -> Table:
    """The table of contents."""
    table = Table(title="Contents", show_header=False, box=None)
    for e in run.toc():
        mark = "▶" if e.current else "✓" if e.visited else " "
        table.add_row(mark, f"{e.index + 1}.", e.title + ("  (?)" if e.has_question else ""))
    return table


# --- the player ----------------------------------------------------------------------------
class Player:
    """Plays one lesson in the terminal, saving progress as it goes."""

    def __init__(self, item: Item, catalog: Catalog, store: ProgressStore, console: Console,
                 read: Reader) -> None:
        self.lesson = item.lesson
        self.number = catalog.number(item.id)
        self.store, self.console, self.read = store, console, read
        self.run = LessonRun(self.lesson)
        self.saved: set[str] = set()

    def play(self) -> None:
        """From the first step to the end, or until the learner quits."""
        c = self.console
        c.print(title_card(self.lesson, self.number, f"{len(self.lesson.steps)} steps · "
                                                     f"{len(self.lesson.questions())} questions"))
        c.print(Markdown(self.lesson.teaches))
        self._resume()
        try:
            while not self.run.finished:
                self._step()
        except Quit:
            save_run(self.store, self.run, self.saved, final=True)
            c.print(Text("Progress saved: this lesson picks up at this step next time.", style="dim"))
            return
        self._finish()

    def _resume(self) -> None:
        """Pick up at the step the learner reached last time (the run replays its way there)."""
        if self.store.status(self.lesson.id) != "started":
            return
        step = self.store.lesson(self.lesson.id).get("step", 0)
        if 0 < step < len(self.lesson.steps):
            self.console.print(Text(f"Resuming at step {step + 1} (type j 1 to start over).", style="dim"))
            self.run.jump(step)

    def _step(self) -> None:
        """Show the step, play its wait, ask its question, then take a command."""
        run, c = self.run, self.console
        for note in run.notes:  # e.g. the run going back to the lesson's solution after a challenge
            c.print(Text(note, style="yellow"))
        run.notes.clear()
        c.print(title_card(self.lesson, self.number, f"Step {run.index + 1} of {len(self.lesson.steps)}"
                                                     f" · {run.step.title}"))
        c.print(Markdown(run.step.narration))
        self._save()
        start = run.index
        self._wait()
        if run.phase == QUESTION:
            self._ask()
        if run.index == start and not run.finished:
            self._command()

    def _wait(self) -> None:
        """Play a time wait; for a learner wait, take actions or settings until it is done."""
        run, c = self.run, self.console
        if run.phase != WAIT:
            return
        if run.step.wait.plays:
            run.finish_wait()
            for note in run.notes:
                c.print(Text(note, style="yellow"))
            run.notes.clear()
            c.print(status_line(run))
            return
        c.print(Text(run.step.wait.prompt or _wait_hint(run), style="bold yellow"))
        while run.phase == WAIT:
            line = self._line("do> ")
            if line in ("s", "show"):
                self._result(run.show_me())
            else:
                self._result(self._learner(line))
        c.print(status_line(run))

    def _learner(self, line: str) -> Result:
        """A learner's typed action ("power-loss leader") or setting ("producer.acks=all")."""
        try:
            if "=" in line:
                (name, value), = parse_settings(line).items()
                return self.run.set(name, value)
            return self.run.apply(parse_action(line))
        except ValueError as err:
            return Result(False, [str(err)])

    def _result(self, result: Any) -> None:
        """Print what an action did."""
        style = "green" if result.ok else "red"
        for line in untold(result.lines, self.run.held()):  # an action may open a question its words would answer
            self.console.print(Text(line, style=style))

    def _ask(self) -> None:
        """Ask until the question is closed (a challenge may take several tries)."""
        run, c = self.run, self.console
        q = run.question
        c.print(state_block(run))
        c.print(question_panel(q))
        while run.phase == QUESTION:
            line = self._line("answer> ")
            if not line:
                c.print(Text("type your answer (h: a hint, s: show me)", style="dim"))
                continue
            if line in ("h", "hint"):
                c.print(Text(run.hint() or "no hints for this one", style="cyan"))
                continue
            verdict = run.show_me() if line in ("s", "show") else self._submit(q, line)
            if verdict is not None:
                c.print(verdict_panel(verdict, run.played(verdict)))
        if q.kind == "challenge" and run.version:
            c.print(Text(f"The run now plays {run.version[1]}.", style="cyan"))
        self._save()

    def _submit(self, q: Question, line: str) -> Verdict | None:
        """Read and submit an answer; a misread one is explained, not judged."""
        try:
            return self.run.submit(parse_answer(q, line))
        except ValueError as err:
            self.console.print(Text(str(err), style="red"))
            return None

    def _command(self) -> None:
        """Between steps: next, back, contents, jump, quit."""
        while True:
            line = self._line(f"[{HELP}] > ")
            if line in ("", "n", "next"):
                self.run.next()
                return
            if line in ("b", "back"):
                self.run.back()
                return
            if line in ("t", "toc", "contents"):
                self.console.print(toc_table(self.run))
                continue
            target = line[1:].strip() if line.startswith("j") else line
            if target.isdigit() and 1 <= int(target) <= len(self.lesson.steps):
                self.run.jump(int(target) - 1)
                return
            self.console.print(Text(f"unknown command {line!r}: {HELP}", style="red"))

    def _line(self, prompt: str) -> str:
        """One line of input; q or the end of the input quits."""
        line = self.read(prompt)
        if line is None or line.strip() in ("q", "quit"):
            raise Quit
        return line.strip()

    def _save(self) -> None:
        """Record the step and the answers closed so far."""
        save_run(self.store, self.run, self.saved)

    def _finish(self) -> None:
        """The end: the score, and what to take next."""
        save_run(self.store, self.run, self.saved, final=True, done=True)
        got, total = self.run.score()
        self.console.print(Panel(Text(f"Lesson complete · score {got}/{total}", justify="center",
                                      style="bold"), border_style="green"))
        for line in lab_lines(self.run.lesson):
            self.console.print(Text(line, style="cyan"))


def lab_lines(lesson: Lesson) -> list[str]:
    """The labs that reproduce the lesson's losses with the real client, each with its command."""
    from tutor.lab import LABS

    labs = [LABS[name] for name in lesson.labs if name in LABS]
    if not labs:
        return []
    return ["See it happen with the real Kafka client (predict first, then compare):"] + [
        f"  tutor lab {lab.name}   {lab.title}" for lab in labs]


def _wait_hint(run: LessonRun) -> str:
    """What to type when the step waits for the learner."""
    wait = run.step.wait
    if wait.kind == "action":
        a = wait.action
        return f"Your turn: type `{a.action}{' ' + a.target if a.target else ''}` (s: show me)"
    return f"Your turn: type `{wait.setting}={wait.value}` (s: show me)"


# --- the quiz ------------------------------------------------------------------------------
@dataclass
class Tally:
    """A quiz's running score."""

    right: int = 0
    asked: int = 0


def quiz(items: list[Item], store: ProgressStore, console: Console, read: Reader) -> Tally:
    """Only the questions of these lessons, in order, with the score at the end (also when stopped)."""
    tally = Tally()
    try:
        for item in items:
            quiz_lesson(item.lesson, store, console, read, tally)
    except Quit:
        console.print(Text("Quiz stopped.", style="dim"))
    console.print(Panel(Text(f"Score: {tally.right}/{tally.asked}", justify="center", style="bold"),
                        border_style="green"))
    return tally


def quiz_lesson(lesson: Lesson, store: ProgressStore, console: Console, read: Reader, tally: Tally) -> None:
    """One lesson's questions: the run plays itself between them."""
    run, saved = LessonRun(lesson), set()
    console.rule(lesson.title)
    try:
        while not run.finished:
            run.finish_wait()
            if run.phase == QUESTION:
                tally.asked += 1
                console.print(Text(f"{run.step.title}", style="bold"))
                _quiz_question(run, console, read)
            run.next()
    finally:
        tally.right += sum(a.scored for a in run.answers.values())
        save_run(store, run, saved, final=True, step=False)  # a quiz does not move the lesson's place


def _quiz_question(run: LessonRun, console: Console, read: Reader) -> None:
    """Ask one question; a challenge gets a few tries before its solution is shown."""
    q = run.question
    console.print(state_block(run))
    console.print(question_panel(q))
    failures = 0
    while run.phase == QUESTION:
        line = read("answer> ")
        if line is None or line.strip() in ("q", "quit"):
            raise Quit
        line = line.strip()
        if line in ("h", "hint"):
            console.print(Text(run.hint() or "no hints for this one", style="cyan"))
            continue
        try:
            verdict = run.show_me() if line in ("s", "show", "") else run.submit(parse_answer(q, line))
        except ValueError as err:
            console.print(Text(str(err), style="red"))
            continue
        console.print(verdict_panel(verdict, run.played(verdict)))
        failures += not verdict.final
        if failures >= CHALLENGE_TRIES and run.phase == QUESTION:
            shown = run.show_me()
            console.print(verdict_panel(shown, run.played(shown)))
