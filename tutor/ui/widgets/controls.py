"""The settings panel: Kafka property names with the value in force and the default; ←/→ change one."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..settings import GROUPS, Control, CONTROLS, show, step


def row_prompt(control: Control, value: Any, default: Any, width: int) -> Text:
    """"acks ........ 1" (a changed value stands out), then "default all · what it does", wrapped."""
    changed = value != default
    shown = show(value)
    line = Text(control.key, style="bold" if changed else "")
    line.append(" " * max(1, width - len(control.key) - len(shown)))
    line.append(shown, style="bold yellow" if changed else "bold")
    head = f"default {show(default)}" + (" · ↻ restarts" if control.restart_only else "")
    notes = textwrap.wrap(f"{head} · {control.setting.doc}", max(width, 10))  # whole, wrapped: nothing cut
    out = [line]
    for n, text in enumerate(notes):
        note = Text(text, style="dim italic")
        if n == 0:
            note.stylize("dim", 0, len(head))
            note.stylize("not italic", 0, len(head))
        out.append(note)
    return Text("\n").join(out)


def visible(config: dict[str, dict[str, Any]]) -> list[tuple[str, list[Control]]]:
    """The groups and controls that exist in this run (sections present, keys of its client)."""
    out = []
    for title, controls in GROUPS:
        shown = [c for c in controls if (config.get(c.section) or {}).get(c.key, _MISSING) is not _MISSING]
        if shown:
            out.append((title, shown))
    return out


class ControlsPanel(OptionList):
    """The settings in force at the cursor; the panel asks for changes, the screen decides."""

    BINDINGS = [
        Binding("right,enter", "next_value", "next value", show=False),
        Binding("left", "prev_value", "previous value", show=False),
        Binding("e", "edit", "type a value", show=False),
        Binding("escape", "leave", "leave the settings", show=False),
    ]

    config: reactive[dict] = reactive(dict, always_update=True)

    @dataclass
    class ChangeRequested(Message):
        """Set `section.key` to `value`."""

        section: str
        key: str
        value: Any

    @dataclass
    class EditRequested(Message):
        """Ask the learner to type a value for this control (`which`: Message has a `control` of its own)."""

        which: Control

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.defaults: dict[str, Any] = {}
        self._shape: tuple = ()

    def set_state(self, config: dict[str, dict[str, Any]], defaults: dict[str, Any]) -> None:
        """Push the settings in force and each control's default."""
        self.defaults = defaults
        self.config = config

    def watch_config(self, config: dict) -> None:
        """Rebuild the rows when the set of controls changed, else update their text in place."""
        groups = visible(config)
        shape = tuple(c.ident for _, cs in groups for c in cs)
        width = max(self.content_size.width - 2, 24)
        if shape != self._shape:
            self._rebuild(groups, width)
            self._shape = shape
            return
        for ident in shape:
            self.replace_option_prompt(ident, self._prompt(CONTROLS[ident], width))

    def _rebuild(self, groups: list[tuple[str, list[Control]]], width: int) -> None:
        """All rows anew, keeping the highlighted control."""
        keep = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        for title, controls in groups:
            options.append(Option(Text(f"── {title} ──", style="bold"), disabled=True))
            options += [Option(self._prompt(c, width), id=c.ident) for c in controls]
        self.set_options(options)
        ids = [o.id for o in options]
        self.highlighted = ids.index(keep) if keep is not None and keep in ids else (1 if len(ids) > 1 else None)

    def _prompt(self, control: Control, width: int) -> Text:
        """One control's row text."""
        value = self.config[control.section][control.key]
        return row_prompt(control, value, self.defaults.get(control.ident, value), width)

    def on_resize(self) -> None:
        """Re-wrap the rows to the new width."""
        self._shape = ()
        if self.config:
            self.watch_config(self.config)

    def current_control(self) -> Control | None:
        """The highlighted control."""
        opt = self.highlighted_option
        return CONTROLS.get(opt.id) if opt is not None and opt.id else None

    def _step(self, direction: int) -> None:
        """Ask for the next (or previous) value on the control's ladder."""
        c = self.current_control()
        if c is not None:
            value = step(c, self.config[c.section][c.key], direction)
            self.post_message(self.ChangeRequested(c.section, c.key, value))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a row steps its value, like →."""
        event.stop()
        self._step(+1)

    def action_next_value(self) -> None:
        """→ / enter."""
        self._step(+1)

    def action_prev_value(self) -> None:
        """←."""
        self._step(-1)

    def action_leave(self) -> None:
        """esc: hand the keys back to the sandbox (the panel stays open)."""
        self.screen.set_focus(None)

    def action_edit(self) -> None:
        """e: type a value."""
        c = self.current_control()
        if c is not None:
            self.post_message(self.EditRequested(c))


_MISSING = object()
