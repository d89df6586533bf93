"""The instructor's live view: the question the class is on, a histogram of its first answers as they come,
the answer key beside it once the instructor reveals it, and the misconceptions the class holds most."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from tutor.classroom import ClassFolder
from tutor.classroom.live import Asked, Snapshot, histogram, snapshot
from tutor.classroom.report import key_text
from tutor.lessons import Catalog

BAR = 30  # the longest bar, in cells


class WatchScreen(Screen):
    """Reads the class folder every `poll_s` seconds off the UI thread and redraws; nothing shows which answer is
    right until r."""

    BINDINGS = [Binding("left", "move(-1)", "previous question"), Binding("right", "move(1)", "next question"),
                Binding("f", "follow", "follow the class"), Binding("r", "reveal", "reveal / hide the answer"),
                Binding("q", "app.quit", "quit")]
    DEFAULT_CSS = "#watch-head { padding: 0 1; } #histogram { padding: 1 2; } #held { padding: 0 2; }"

    def __init__(self, folder: ClassFolder, catalog: Catalog, poll_s: float = 1.0) -> None:
        super().__init__()
        self.folder, self.catalog, self.poll_s = folder, catalog, poll_s
        self.snap: Snapshot | None = None
        self.index, self.following, self.revealed = 0, True, False

    def compose(self) -> ComposeResult:
        """Head line, histogram, misconceptions, keys."""
        yield Static(f"class {self.folder.name}: reading…", id="watch-head")
        yield Static(id="histogram")
        yield Static(id="held")
        yield Footer()

    def on_mount(self) -> None:
        """Read now and then every poll_s seconds."""
        self.poll()
        self.set_interval(self.poll_s, self.poll)

    @work(thread=True, exclusive=True, group="class-poll")
    def poll(self) -> None:
        """Read the class folder in a thread (many files), then show it on the UI thread."""
        snap = snapshot(self.folder, self.catalog)
        self.app.call_from_thread(self.show, snap)

    def show(self, snap: Snapshot) -> None:
        """A fresh reading: follow the class to the question answered last, unless the instructor chose one."""
        self.snap = snap
        if self.following and snap.asked:
            current = snap.current()
            if current != self.index:
                self.index, self.revealed = current, False
        self.redraw()

    def redraw(self) -> None:
        """Draw the head, the histogram and the misconceptions from the last reading."""
        snap = self.snap
        if snap is None or not snap.asked:
            self.query_one("#watch-head", Static).update(f"class {self.folder.name}: no questions to show")
            return
        asked = snap.asked[self.index]
        mode = "following the class" if self.following else "chosen question (f: follow the class)"
        self.query_one("#watch-head", Static).update(Text.assemble(
            (f"class {self.folder.name}", "bold"), f" · {snap.students} students · question {self.index + 1} of "
            f"{len(snap.asked)} · {mode}\n", (f"{asked.lesson.title} / {asked.question.id}: ", "bold"),
            asked.question.prompt.strip()))
        self.query_one("#histogram", Static).update(self.histogram(asked))
        self.query_one("#held", Static).update(self.held(snap))

    def histogram(self, asked: Asked) -> Group:
        """One bar per option: how many answered it first; with r, the key and each wrong option's misconception."""
        rows = histogram(asked)
        top = max((n for _, n, _, _ in rows), default=0) or 1
        lines = [Text(f"first answers: {asked.figures['answered']} of {self.snap.students}", style="dim")]
        for label, n, right, misconception in rows:
            shown = label if len(label) <= 50 else label[:49] + "…"
            line = Text(f"{shown:<50} ")
            line.append("█" * round(BAR * n / top), style="green" if self.revealed and right else "cyan")
            line.append(f" {n}")
            if self.revealed and right:
                line.append("  ← the engine's answer", style="bold green")
            elif self.revealed and misconception:
                line.append(f"\n    {misconception}", style="yellow")
            lines.append(line)
        if self.revealed:
            lines.append(Text(f"answer: {key_text(asked.question)}", style="bold green"))
        else:
            lines.append(Text("r reveals the engine's answer", style="dim"))
        return Group(*lines)

    def held(self, snap: Snapshot) -> Group:
        """The misconceptions held most as first answers, across lessons (shown only after a reveal, as they name
        wrong answers)."""
        lines = [Text("misconceptions the class holds most (first answers)", style="bold")]
        if not self.revealed:
            lines.append(Text("shown with the answer (r)", style="dim"))
        else:
            for n, text, where in snap.misconceptions:
                lines.append(Text(f"{n:>3} × {text}  ({where})"))
        return Group(*lines)

    def action_move(self, step: int) -> None:
        """←/→: another question (the view stops following the class)."""
        if self.snap and self.snap.asked:
            self.index = (self.index + step) % len(self.snap.asked)
            self.following, self.revealed = False, False
            self.redraw()

    def action_follow(self) -> None:
        """f: follow the question the class answered last."""
        self.following = True
        if self.snap:
            self.show(self.snap)

    def action_reveal(self) -> None:
        """r: show (or hide) the answer key beside the histogram."""
        self.revealed = not self.revealed
        self.redraw()
