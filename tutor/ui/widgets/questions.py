"""Question widgets: a list of choices, a typed number or record ids, a challenge's settings form; answers go up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tutor.lessons import Question
from tutor.lessons.judge import letter, words
from tutor.lessons.answers import parse_answer, typed
from tutor.sim.config import SETTINGS

from ..screens.prompt import PromptScreen
from ..settings import CONTROLS, show

HELP_KEYS = {"h": "hint", "s": "show"}


@dataclass
class QuestionAnswered(Message):
    """The learner answered: a choice index, a number, a set of record ids, or settings by name."""

    answer: Any


@dataclass
class HelpWanted(Message):
    """The learner asked for "hint" or "show" (show me) from inside a question."""

    what: str


@dataclass
class AnswerMisread(Message):
    """A typed answer could not be read; `reason` says how to write it."""

    reason: str


class ChoiceQuestion(OptionList):
    """The choices as "A) …"; ↑/↓ and enter, a letter, or a click answers."""

    BINDINGS = [Binding(letter(i).lower(), f"pick({i})", show=False) for i in range(6)]

    def __init__(self, question: Question, *, id: str | None = None) -> None:
        super().__init__(*(Option(Text(f"{letter(i)}) {c.text}")) for i, c in enumerate(question.choices)), id=id)
        self.question = question

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on a choice."""
        event.stop()
        self.post_message(QuestionAnswered(event.option_index))

    def action_pick(self, index: int) -> None:
        """A letter key."""
        if index < len(self.question.choices):
            self.highlighted = index
            self.post_message(QuestionAnswered(index))


class TypedAnswer(Input):
    """A number or record ids, typed; h asks for a hint and s for show me, as in the text player."""

    def __init__(self, question: Question, *, id: str | None = None) -> None:
        how = "a number" if question.kind == "number" else "record ids, e.g. 40-49, 52 (or click tokens)"
        unit = f" ({question.unit})" if question.unit else ""
        super().__init__(placeholder=f"{how}{unit} · enter answers · h hint · s show me", id=id)
        self.question = question

    def on_key(self, event: events.Key) -> None:
        """h and s are never part of a number or of record ids: they ask for a hint and for show me."""
        wanted = HELP_KEYS.get(event.character or "")
        if wanted is not None:
            event.prevent_default()
            event.stop()
            self.post_message(HelpWanted(wanted))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: the answer (a misread one is explained, not judged)."""
        event.stop()
        text = event.value.strip()
        if not text:
            self.post_message(AnswerMisread("type your answer (h: a hint, s: show me)"))
            return
        try:
            answer = parse_answer(self.question, text)
        except ValueError as err:
            self.post_message(AnswerMisread(str(err)))
            return
        self.post_message(QuestionAnswered(answer))

    def add_id(self, rid: int) -> None:
        """A clicked record joins the typed ids."""
        text = self.value.strip().rstrip(",")
        self.value = f"{text}, {rid}" if text else str(rid)
        self.cursor_position = len(self.value)


def ladder(name: str, current: Any) -> list[Any]:
    """The values ←/→ step through for a setting: the sandbox's ladder, the setting's choices, or none."""
    section, _, key = name.partition(".")
    control = CONTROLS.get(name)
    setting = SETTINGS[(section, key)]
    if control is not None:
        values = list(control.ladder)
    elif setting.kind == "bool":
        values = [False, True]
    elif setting.kind in ("choice", "acks"):
        values = list(setting.choices)
    else:
        values = []
    return values if current in values or not values else [current, *values]


class ChallengeRows(OptionList):
    """One row per setting the challenge allows: ←/→ change it, e types a value, del resets, enter tries."""

    BINDINGS = [
        Binding("right", "step(1)", "next value", show=False),
        Binding("left", "step(-1)", "previous value", show=False),
        Binding("e", "edit", "type a value", show=False),
        Binding("delete,backspace", "reset", "reset", show=False),
        Binding("enter", "try", "try it", show=False),
    ]

    @dataclass
    class Stepped(Message):
        """Row `name` should move `direction` along its ladder (the form decides)."""

        name: str
        direction: int

    @dataclass
    class Acted(Message):
        """The learner asked to "edit", "reset" or "try"."""

        what: str

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a row steps its value, as in the settings panel."""
        event.stop()
        self.action_step(1)

    def action_step(self, direction: int) -> None:
        """←/→."""
        opt = self.highlighted_option
        if opt is not None and opt.id:
            self.post_message(self.Stepped(opt.id, direction))

    def action_edit(self) -> None:
        """e."""
        self.post_message(self.Acted("edit"))

    def action_reset(self) -> None:
        """del."""
        self.post_message(self.Acted("reset"))

    def action_try(self) -> None:
        """enter."""
        self.post_message(self.Acted("try"))


class ChallengeForm(Vertical):
    """The allowed settings with their values in force and the learner's changes; par and best below."""

    def __init__(self, question: Question, current: dict[str, Any], best: float | None = None,
                 *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.question = question
        self.current = current
        self.best = best
        self.chosen: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        """The rows, the par line and the button."""
        yield ChallengeRows(*(Option(self._row(n), id=n) for n in self.question.allowed), id="rows")
        yield Static(self._par_line(), id="par")
        yield Button("Try it (enter)", id="try", variant="primary", compact=True)

    def focus(self, scroll_visible: bool = True) -> "ChallengeForm":
        """Focus goes to the rows (once they are there)."""
        rows = self.query(ChallengeRows)
        if rows:
            rows.first().focus(scroll_visible)
        else:
            self.call_after_refresh(self.focus, scroll_visible)
        return self

    def _row(self, name: str) -> Text:
        """"producer.acks   1 → all": the value in force, and the learner's change if any."""
        text = Text(name.ljust(34), style="bold" if name in self.chosen else "")
        text.append(show(self.current.get(name)))
        if name in self.chosen:
            text.append(" → ")
            text.append(show(self.chosen[name]), style="bold yellow")
        return text

    def _par_line(self) -> Text:
        """How many changes, par and the best so far."""
        q = self.question
        n = "one setting" if q.changes == 1 else f"up to {q.changes} settings"
        when = "as if set from the start" if q.apply == "start" else "from now on"
        text = Text(f"Change {n}, {when}: ←/→ or click change a value, e types one, del resets.", style="dim")
        if q.par is not None:
            unit = " ms" if q.par.measure.endswith(".ms") else ""
            text.append(f"\npar: {words(q.par.measure)} {q.par.value:g}{unit}", style="bold")
            text.append(f" · your best: {self.best:g}{unit}" if self.best is not None else " · your best: —")
        return text

    def set_best(self, best: float | None) -> None:
        """Show a new best."""
        self.best = best
        self.query_one("#par", Static).update(self._par_line())

    def choose(self, name: str, value: Any, typed_in: bool = False) -> None:
        """Set a row's value; stepping back to the value in force undoes the change, typing it in does not."""
        if value == self.current.get(name) and not typed_in:
            self.chosen.pop(name, None)
        else:
            self.chosen[name] = value
        self.query_one(ChallengeRows).replace_option_prompt(name, self._row(name))

    def on_challenge_rows_stepped(self, message: ChallengeRows.Stepped) -> None:
        """Move a row along its ladder."""
        message.stop()
        value = self.chosen.get(message.name, self.current.get(message.name))
        values = ladder(message.name, self.current.get(message.name))
        if not values:
            self._edit(message.name)
            return
        i = values.index(value) if value in values else 0
        self.choose(message.name, values[(i + message.direction) % len(values)])

    def on_challenge_rows_acted(self, message: ChallengeRows.Acted) -> None:
        """e, del or enter on the rows."""
        message.stop()
        name = self.query_one(ChallengeRows).highlighted_option
        if message.what == "try":
            self.post_message(QuestionAnswered(dict(self.chosen)))
        elif name is not None and message.what == "reset":
            self.choose(name.id, self.current.get(name.id))
        elif name is not None:
            self._edit(name.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The Try button."""
        event.stop()
        self.post_message(QuestionAnswered(dict(self.chosen)))

    def _edit(self, name: str) -> None:
        """Ask for a typed value (checked by the engine when tried)."""
        now = self.chosen.get(name, self.current.get(name))
        self.app.push_screen(PromptScreen(f"{name} (now {show(self.current.get(name))}):", show(now)),
                             lambda text: self._typed(name, text))

    def _typed(self, name: str, text: str | None) -> None:
        """A typed value, read as TOML reads it ("2" -> 2, "true" -> True, "never" stays a word)."""
        if text is not None and text.strip():
            self.choose(name, typed(text.strip().replace(",", "")), typed_in=True)
