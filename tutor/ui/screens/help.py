"""The help screen: every key by group, what the glyphs mean, and what the sandbox is for."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..keys import ALL, GROUP_TITLES
from ..look import LOST_ACKED, legend

INTRO = ("A producer sends records through a replicated Kafka partition to a consumer. Watch where each "
         "record is (its glyph says its state), break things with the capital-letter keys, change settings "
         "live (o), and scrub back in time: a change made in the past forks a new future. The ledger at the "
         "bottom counts what was lost; LOST ACKED is the broken promise. This is the sandbox; the main "
         "menu also has lessons and labs. Mouse: click a record to inspect it, a box to target it, the timeline to jump.")


KEY_NAMES = {"left": "←", "right": "→", "shift+left": "shift+←", "shift+right": "shift+→",
             "number_sign": "#", "question_mark": "?", "minus": "-", "plus": "+"}


def key_name(keys: str) -> str:
    """The first key of a binding as a person writes it."""
    first = keys.split(",")[0]
    return KEY_NAMES.get(first, first)


def key_tables(keys=ALL, titles=GROUP_TITLES, names: dict[str, str] | None = None) -> list[RenderableType]:
    """A titled table of keys per group (the broker-N targets folded into one row); `names` spells
    some bindings differently."""
    out: list[RenderableType] = []
    for group, title in titles.items():
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True, min_width=8)
        table.add_column()
        for k in keys:
            if k.group != group or (k.action.startswith("select('broker-") and k.keys != "1"):
                continue
            if k.keys == "1":
                table.add_row("1 … 9", "aim node failures at broker-N (or click its box)")
            else:
                table.add_row((names or {}).get(k.keys, key_name(k.keys)), k.help)
        out += [Text(title, style="bold underline"), table, Text("")]
    return out


def legend_table() -> Table:
    """Glyph, meaning."""
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column()
    table.add_row(Text("Glyphs", style="bold underline"), "")
    for glyph, label, style in legend():
        table.add_row(Text(glyph, style=style), label)
    table.add_row(Text("✗", style=LOST_ACKED), "lost although the producer was told it was written")
    table.add_row(Text("42", style="underline"), "underlined: the producer was told it was written (acked)")
    table.add_row(Text("+1,203"), "records in that place not drawn (the newest ones are)")
    table.add_row(Text("★ ¬ Z"), "in a broker's row for partition t-N: its leader; a follower out of the ISR; "
                  "a replica that still thinks it leads")
    table.add_row(Text("42/41"), "in the group's box: a partition's position / the group's committed offset")
    table.add_row(Text("▮▮▯▯▯", style="yellow"), "time since a member's last poll against max.poll.interval.ms "
                  "(red near it: the member is about to be removed)")
    table.add_row(Text("⟳", style="bold yellow"), "a rebalance: partitions revoked or assigned, a new generation")
    return table


def help_body() -> RenderableType:
    """Everything the help screen shows."""
    return Group(Text(INTRO), Text(""), *key_tables(), legend_table())


class HelpScreen(ModalScreen[None]):
    """Scrollable help; Esc, q or ? closes it."""

    BINDINGS = [Binding("escape,question_mark", "close", "close"), Binding("q", "app.quit", "quit")]

    def compose(self) -> ComposeResult:
        """The help text in a bordered scroll box."""
        with VerticalScroll(id="help") as box:
            box.border_title = "tutor · help"
            box.border_subtitle = "esc close · q quit tutor"
            yield Static(help_body())

    def action_close(self) -> None:
        """Back."""
        self.dismiss(None)
