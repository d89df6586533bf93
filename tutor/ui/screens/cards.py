"""The lesson's modal screens: title cards between steps, the table of contents, the end card, the keys."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Digits, Label, OptionList, Static
from textual.widgets.option_list import Option

from tutor.lessons.run import TocEntry

from ..lesson_keys import ALL, GROUP_TITLES
from .help import key_tables, legend_table

GO, BACK, CONTENTS, LEAVE, NEXT = "go", "back", "contents", "leave", "next"


@dataclass
class Card:
    """What a title card says: whose lesson, which step, and the words under it."""

    lesson: str                 # "Lesson 4 · acks=1: the leader's word"
    number: int                 # the step's number (1-based)
    steps: int
    title: str
    body: str = ""              # Markdown: the lesson's teaches, on the first card
    note: str = ""              # a line under it: resuming, prerequisites, counts


class TitleCard(ModalScreen[str]):
    """A big, clear card between steps, readable on a projector; enter goes on."""

    CSS_PATH = "lesson.tcss"
    BINDINGS = [
        Binding("enter,right,space", "done('go')", "continue", key_display="⏎"),
        Binding("left", "done('back')", "back", key_display="←"),
        Binding("t", "done('contents')", "contents"),
        Binding("c", "done('cards-off')", "no more cards"),
        Binding("escape", "done('leave')", "lessons", key_display="esc"),
    ]

    def __init__(self, card: Card) -> None:
        super().__init__()
        self.card = card

    def compose(self) -> ComposeResult:
        """The step number in big digits, the title in capitals, the lesson's words."""
        c = self.card
        with VerticalScroll(id="card", can_focus=False) as box:
            box.border_title = c.lesson
            box.border_subtitle = "⏎ continue · ← back · t contents · c no more cards · esc lessons"
            with Center():
                with Horizontal(id="card-number"):
                    yield Label("STEP ", classes="card-word")
                    yield Digits(str(c.number), id="card-digits")
                    yield Label(f" of {c.steps}", classes="card-word")
            yield Static(Text(c.title.upper(), justify="center"), id="card-title")
            if c.body:
                yield Static(Markdown(c.body), id="card-body")
            if c.note:
                yield Static(Text(c.note, justify="center"), id="card-note")

    def on_click(self) -> None:
        """A click anywhere goes on."""
        self.dismiss(GO)

    def action_done(self, result: str) -> None:
        """Close the card with what the learner chose."""
        self.dismiss(result)


class ContentsScreen(ModalScreen[int | None]):
    """Every step: ✓ seen, ▶ current, (?) has a question; enter jumps there."""

    CSS_PATH = "lesson.tcss"
    BINDINGS = [Binding("escape,t,q", "close", "close")]

    def __init__(self, title: str, entries: list[TocEntry]) -> None:
        super().__init__()
        self.title_text = title
        self.entries = entries

    def compose(self) -> ComposeResult:
        """The steps as a list."""
        options = [Option(self._line(e), id=str(e.index)) for e in self.entries]
        with Vertical(id="toc") as box:
            box.border_title = f"Contents · {self.title_text}"
            box.border_subtitle = "⏎ jump · esc close"
            yield OptionList(*options, id="toc-list")

    def on_mount(self) -> None:
        """Start on the current step."""
        current = next((e.index for e in self.entries if e.current), 0)
        self.query_one(OptionList).highlighted = current

    @staticmethod
    def _line(e: TocEntry) -> Text:
        """"▶ 3. The leader's process dies  ?"."""
        mark = "▶" if e.current else "✓" if e.visited else " "
        text = Text(f"{mark} {e.index + 1:>2}. {e.title}", style="bold" if e.current else "")
        if e.has_question:
            text.append("  (question)", style="dim")
        return text

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Jump to the chosen step."""
        self.dismiss(int(event.option.id))

    def action_close(self) -> None:
        """No jump."""
        self.dismiss(None)


@dataclass
class Ending:
    """What the end card shows."""

    lesson: str
    score: tuple[int, int]
    answers: list[tuple[str, str]]   # (mark, question) per question
    next_title: str | None = None
    labs: list[str] | None = None    # lines about the labs that go with the lesson
    warnings: list[str] | None = None


class EndCard(ModalScreen[str]):
    """The lesson's end: the score, each question, what to take next and the lab to run."""

    CSS_PATH = "lesson.tcss"
    BINDINGS = [
        Binding("n", "done('next')", "next lesson"),
        Binding("enter,escape", "done('leave')", "lessons", key_display="⏎"),
        Binding("left", "done('back')", "back"),
    ]

    def __init__(self, ending: Ending) -> None:
        super().__init__()
        self.ending = ending

    def compose(self) -> ComposeResult:
        """Score in big digits, then the details."""
        e = self.ending
        with VerticalScroll(id="card", can_focus=False) as box:
            box.border_title = e.lesson
            box.border_subtitle = ("n next lesson · " if e.next_title else "") + "⏎ lessons · ← back"
            yield Static(Text("LESSON COMPLETE", justify="center"), id="card-title")
            with Center():
                with Horizontal(id="card-number"):
                    yield Label("SCORE ", classes="card-word")
                    yield Digits(str(e.score[0]), id="card-digits")
                    yield Label(f" of {e.score[1]}", classes="card-word")
            yield Static(self._details(), id="card-body")

    def _details(self) -> RenderableType:
        """Each question, the next lesson, the labs, and any warning about saving."""
        e = self.ending
        table = Table(box=None, show_header=False, padding=(0, 1))
        for mark, text in e.answers:
            table.add_row(mark, text)
        parts: list[RenderableType] = [table, Text("")]
        parts.append(Text(f"Next: {e.next_title}  (n)" if e.next_title else "Every lesson is done.",
                          style="bold"))
        for line in e.labs or []:
            parts.append(Text(line, style="cyan"))
        for line in e.warnings or []:
            parts.append(Text(f"warning: {line}", style="bold yellow"))
        return Group(*parts)

    def action_done(self, result: str) -> None:
        """Close with what the learner chose."""
        self.dismiss(result)


def lesson_key_tables() -> list[RenderableType]:
    """A titled table of the lesson keys per group (the broker-N targets folded into one row)."""
    return key_tables(ALL, GROUP_TITLES, {"enter,right": "⏎ →"})


class LessonHelpScreen(ModalScreen[None]):
    """The lesson keys and the glyphs; esc, q or ? closes it."""

    CSS_PATH = "lesson.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "close", "close")]

    def compose(self) -> ComposeResult:
        """The keys and the legend in a scroll box."""
        with VerticalScroll(id="lesson-help") as box:
            box.border_title = "lesson keys"
            box.border_subtitle = "esc closes"
            yield Static(Group(*lesson_key_tables(), legend_table()))

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
