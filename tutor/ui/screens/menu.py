"""The menus: the main menu (sandbox, lessons, labs, explore, quit), the lessons with progress, and the labs.

Their styles (menu.tcss) are among the app's own (TutorApp.CSS_PATH)."""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from .. import labs

if TYPE_CHECKING:  # the lessons load when the menu asks for its progress line, after its first frame
    from tutor.lessons import Catalog, Item, ProgressStore

DIGIT_WINDOW_S = 1.0   # digits typed within this long of each other make one number ("1", "1" -> 11)
SANDBOX, LESSONS, LABS_ENTRY, EXPLORE, QUIT = "sandbox", "lessons", "labs", "explore", "quit"


class NumberedList(OptionList):
    """An option list where typing an item's number highlights it (two digits for 10 and up)."""

    BINDINGS = [Binding(str(d), f"digit({d})", show=False) for d in range(10)]

    def __init__(self, *options: Option, id: str | None = None) -> None:
        super().__init__(*options, id=id)
        self._typed, self._at = "", 0.0

    def action_digit(self, d: int) -> None:
        """Highlight the item with the number typed so far."""
        now = monotonic()
        self._typed = (self._typed if now - self._at < DIGIT_WINDOW_S else "") + str(d)
        self._at = now
        n = int(self._typed)
        if not 1 <= n <= self.option_count:
            self._typed, n = str(d), d
        if 1 <= n <= self.option_count:
            self.highlighted = n - 1


def progress_words(item: Item, store: ProgressStore) -> str:
    """done / step k of n / "" (as `tutor lessons` says it)."""
    status = store.status(item.id)
    if status == "done":
        return "done"
    if status == "started" and item.lesson is not None:
        record = store.data["lessons"][item.id]
        return f"step {record.get('step', 0) + 1} of {len(item.lesson.steps)}"
    return ""


def score_words(item: Item, store: ProgressStore) -> str:
    """"3/4" once a question was met."""
    score = store.score(item.id) if store.status(item.id) != "new" else None
    return f"{score[0]}/{score[1]}" if score else ""


def lesson_option(n: int, item: Item, store: ProgressStore, nxt: Item | None) -> Text:
    """One lesson's line(s): number, mark, title, progress, score, next; a broken lesson's error under it."""
    status = store.status(item.id)
    mark = "✗" if not item.ok else {"done": "✓", "started": "◐"}.get(status, "·")
    text = Text(f"{n:>2}  {mark} ", style="bold red" if not item.ok else "")
    text.append(item.title, style="bold red" if not item.ok else "bold" if item is nxt else "")
    tail = "  ".join(w for w in (progress_words(item, store), score_words(item, store)) if w)
    if tail:
        text.append(f"   {tail}", style="dim")
    if item is nxt:
        text.append("   ← next", style="bold reverse green")
    for line in ([str(item.error)] if item.error else []) + item.problems:
        text.append(f"\n      {line}", style="red")
    return text


def lesson_detail(item: Item, store: ProgressStore, catalog: Catalog | None = None) -> RenderableType:
    """What a lesson teaches, its size, prerequisites, progress and labs; or why it does not open."""
    if not item.ok:
        lines = ([str(item.error)] if item.error else []) + [f"{item.path}: {p}" for p in item.problems]
        return Group(Text("This lesson file does not load:", style="bold red"), *(Text(x) for x in lines),
                     Text(""), Text("Fix it and check it with `tutor check FILE`.", style="dim"))
    lesson = item.lesson
    from rich.markdown import Markdown  # loaded with the lessons menu, not before the main menu's first frame

    parts: list[RenderableType] = [Text(lesson.title, style="bold"), Markdown(lesson.teaches)]
    facts = f"{len(lesson.steps)} steps · {len(lesson.questions())} questions"
    if lesson.prerequisites:
        after = catalog.prerequisites(lesson) if catalog else ", ".join(lesson.prerequisites)
        facts += f" · after {after}"
    parts.append(Text(facts, style="dim"))
    state = "  ".join(w for w in (progress_words(item, store), score_words(item, store)) if w)
    if state:
        parts.append(Text(f"your progress: {state}", style="cyan"))
    for name, title, _ in labs.labs_for(item.id):
        parts.append(Text(f"lab: {labs.command(name)}  ({title})", style="cyan"))
    return Group(*parts)


class MenuScreen(Screen):
    """Sandbox, Lessons, Labs, Explore, Quit: arrows and enter, a number, or a click."""

    BINDINGS = [Binding("1", "choose('sandbox')", "sandbox"), Binding("2", "choose('lessons')", "lessons"),
                Binding("3", "choose('labs')", "labs"), Binding("4", "choose('explore')", "explore"),
                Binding("5,q", "choose('quit')", "quit")]

    @dataclass
    class Chosen(Message):
        """The learner chose an entry: "sandbox", "lessons", "labs", "explore" or "quit"."""

        what: str

    def __init__(self, lessons_line: str = "") -> None:
        super().__init__()
        self.lessons_line = lessons_line

    def compose(self) -> ComposeResult:
        """A title and the entries."""
        with Vertical(id="menu"):
            yield Static(Text("tutor", style="bold", justify="center"), id="menu-title")
            yield Static(Text("how Apache Kafka loses messages, and how to stop it", justify="center"),
                         id="menu-subtitle")
            yield OptionList(*self._options(), id="menu-list")
        yield Footer()

    def _options(self) -> list[Option]:
        """The entries, each with a line saying what it is."""
        entries = [
            (SANDBOX, "Sandbox", "break a live cluster and watch which records are lost"),
            (LESSONS, "Lessons", self.lessons_line or "step by step, with questions the engine checks"),
            (LABS_ENTRY, "Labs", "the same losses with the real Kafka client"),
            (EXPLORE, "Explore", "settings under faults: what each costs, what it keeps"),
            (QUIT, "Quit", ""),
        ]
        out = []
        for n, (ident, title, line) in enumerate(entries, start=1):
            text = Text(f"{n}  ", style="dim")
            text.append(title, style="bold")
            if line:
                text.append(f"\n   {line}", style="dim")
            out.append(Option(text, id=ident))
        return out

    def set_lessons_line(self, line: str) -> None:
        """Update the line under Lessons (progress changed)."""
        self.lessons_line = line
        menu = self.query_one("#menu-list", OptionList)
        menu.replace_option_prompt(LESSONS, self._options()[1].prompt)

    def on_mount(self) -> None:
        """Keys go to the list."""
        self.query_one("#menu-list").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click."""
        self.post_message(self.Chosen(event.option.id))

    def action_choose(self, what: str) -> None:
        """A number key."""
        self.post_message(self.Chosen(what))


class LessonsScreen(Screen):
    """The lessons in order, with progress, scores, the next one, and errors; enter opens one."""

    BINDINGS = [Binding("escape", "app.pop_screen", "menu", key_display="esc"), Binding("q", "app.quit", "quit")]

    @dataclass
    class Open(Message):
        """Open this lesson."""

        item: Item

    def __init__(self, catalog: Catalog, store: ProgressStore, folder: str | None = None) -> None:
        super().__init__()
        self.catalog, self.store, self.folder = catalog, store, folder

    def compose(self) -> ComposeResult:
        """The list beside the highlighted lesson's details."""
        with Horizontal(id="lessons"):
            yield NumberedList(id="lesson-list")
            with VerticalScroll(id="lesson-detail"):
                yield Static(id="detail")
        yield Static(id="lessons-note")
        yield Footer()

    def on_mount(self) -> None:
        """Fill the list, highlight what to take next, and say if progress was set aside."""
        self.query_one("#lesson-list").border_title = "Lessons" + (f" · {self.folder}" if self.folder else "")
        self.query_one("#lesson-list").border_subtitle = "⏎ open · 1-9 pick · esc menu"
        self.refresh_list()
        self.query_one("#lesson-list").focus()

    def refresh_list(self, highlight: Item | None = None) -> None:
        """Progress may have changed: rebuild the lines, highlighting `highlight` (default: what is next)."""
        box = self.query_one(NumberedList)
        nxt = self.catalog.next_lesson(self.store.done())
        box.set_options([Option(lesson_option(n, item, self.store, nxt), id=str(n - 1))
                         for n, item in enumerate(self.catalog.items, start=1)])
        chosen = highlight or nxt
        keep = self.catalog.items.index(chosen) if chosen in self.catalog.items else 0
        box.highlighted = keep if self.catalog.items else None
        warn = "; ".join(self.store.warnings)
        self.query_one("#lessons-note", Static).update(Text(f"warning: {warn}", style="bold yellow") if warn else "")
        self.set_class(bool(warn), "warned")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the highlighted lesson's details."""
        item = self.catalog.items[int(event.option.id)]
        self.query_one("#detail", Static).update(lesson_detail(item, self.store, self.catalog))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Open the chosen lesson (a broken one says why it cannot open)."""
        item = self.catalog.items[int(event.option.id)]
        if not item.ok:
            self.notify(str(item.error) if item.error else "; ".join(item.problems), severity="error",
                        title="this lesson does not load", timeout=8)
            return
        self.post_message(self.Open(item))


def lab_detail(name: str, client: str) -> RenderableType:
    """A lab: what it shows, its cases, the command to run in a terminal, and whether it can run here."""
    from tutor.lab.catalog import LABS

    lab = LABS[name]
    parts: list[RenderableType] = [Text(lab.title, style="bold"), Text(lab.description), Text("")]
    for case in lab.cases:
        parts.append(Text(f"• {case.title}", style="bold"))
        parts.append(Text(f"  {case.setup}", style="dim"))
    parts += [Text(""), Text("Run it in a terminal (it kills and restarts real client processes):"),
              Text(f"  {labs.command(name)}", style="bold reverse"), Text("")]
    parts.append(Text(client, style="green" if client.startswith("installed") else "yellow"))
    return Group(*parts)


class LabsScreen(Screen):
    """The labs: each one's setup and the exact `tutor lab NAME` command; enter copies it."""

    BINDINGS = [Binding("escape", "app.pop_screen", "menu", key_display="esc"), Binding("q", "app.quit", "quit")]

    def compose(self) -> ComposeResult:
        """The list beside the highlighted lab's details."""
        with Horizontal(id="labs"):
            yield NumberedList(*(Option(Text.assemble((f"{n}  ", "dim"), (name, "bold"), f"\n   {title}"), id=name)
                                 for n, (name, title, _) in enumerate(labs.available_labs(), start=1)),
                               id="lab-list")
            with VerticalScroll(id="lab-detail"):
                yield Static(id="lab-text")
        yield Footer()

    def on_mount(self) -> None:
        """Check for the real client once, then show the first lab."""
        self.client = labs.client_line()
        box = self.query_one("#lab-list", NumberedList)
        box.border_title = "Labs"
        box.border_subtitle = "⏎ copy the command · esc menu"
        box.focus()
        box.highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Show the highlighted lab."""
        self.query_one("#lab-text", Static).update(lab_detail(event.option.id, self.client))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Copy the lab's command (the lab runs real processes, so it runs in a terminal of its own)."""
        cmd = labs.command(event.option.id)
        self.app.copy_to_clipboard(cmd)
        self.notify(f"copied: {cmd}   (run it in a terminal)", timeout=6)
