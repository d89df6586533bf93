"""The apps a class's tabs run: a student's (their name asked unless the link gave it; their progress in the
class's folder) and the instructor's live view."""

from __future__ import annotations

from typing import Callable

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Label

from tutor.classroom import ClassError, ClassFolder, slug
from tutor.lessons import Catalog, load_catalog

from .app import MENU_START, TutorApp, sandbox_scenario
from .driver import Driver
from .screens.classwatch import WatchScreen


class NameScreen(Screen):
    """Who is this? A student types their name once; the answer is checked before it names a file."""

    BINDINGS = [Binding("ctrl+c", "app.quit", "quit", show=False)]
    DEFAULT_CSS = "NameScreen { align: center middle; } #who { width: 60; height: auto; padding: 1 2; }"

    def __init__(self, class_name: str, chosen: Callable[[str], None]) -> None:
        super().__init__()
        self.class_name, self.chosen = class_name, chosen

    def compose(self) -> ComposeResult:
        """A line about the class, the input, and the line for a refusal."""
        with Vertical(id="who"):
            yield Label(f"Class {self.class_name}. Your name? (the same one each time: your progress is kept under it)")
            yield Input(placeholder="e.g. Ana Lima", id="name")
            yield Label("", id="why")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: a good name opens the menu; a bad one is said, and asked again."""
        name = event.value.strip()
        try:
            slug(name)
        except ClassError as err:
            self.query_one("#why", Label).update(str(err))
            return
        self.chosen(name)


class StudentApp(TutorApp):
    """The app as one student of a class sees it: the menu, with their progress kept in the class."""

    def __init__(self, folder: ClassFolder, student: str | None) -> None:
        super().__init__(Driver(sandbox_scenario(), playing=True), start=MENU_START)
        self.folder, self.student = folder, student

    def on_mount(self, event: events.Mount) -> None:
        """The menu for a named student; otherwise, first their name (the app's own mount waits for it)."""
        event.prevent_default()
        if self.student is None:
            self.push_screen(NameScreen(self.folder.name, self.named))
        else:
            self.named(self.student)

    def named(self, student: str) -> None:
        """Open this student's progress in the class, then the menu."""
        self.student = student
        self._store = self.folder.store(student)
        self._store.save()  # the student's file exists from now on: the instructor sees who has joined
        if isinstance(self.screen, NameScreen):
            self.pop_screen()
        super().on_mount()

    def lessons_line(self) -> str:
        """Whose progress this is, then the usual line."""
        return f"{self.student} · class {self.folder.name} · " + super().lessons_line()


class WatchApp(App):
    """The instructor's live view of a class, alone in its app (`tutor class watch`, the instructor's tab)."""

    TITLE = "tutor: class"
    BINDINGS = [Binding("ctrl+c", "quit", "quit", show=False, priority=True)]

    def __init__(self, folder: ClassFolder, catalog: Catalog, poll_s: float = 1.0) -> None:
        super().__init__()
        self.folder, self.catalog, self.poll_s = folder, catalog, poll_s

    def on_mount(self) -> None:
        """The watch screen."""
        self.push_screen(WatchScreen(self.folder, self.catalog, self.poll_s))


def class_tab_app(class_name: str, student: str | None, instructor: bool) -> App:
    """The app of one tab of a served class."""
    folder = ClassFolder.of(class_name)
    if instructor:
        return WatchApp(folder, load_catalog(None))
    return StudentApp(folder, student)
