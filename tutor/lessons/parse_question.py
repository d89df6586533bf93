"""Check a step's [steps.question] table: a prediction (choice, number, pick) or a challenge."""

from __future__ import annotations

from typing import Any

from tutor.scenario.errors import one_of, show
from tutor.scenario.flatten import DuplicateKey, flatten
from tutor.scenario.limits import MAX_TIME_MS
from tutor.scenario.values import is_int, is_number
from tutor.sim.config import is_start_only

from .claims import parse_claim
from .ids import parse_ids
from .measures import LIVE_NUMBERS, OUTCOME_IDS, OUTCOME_NUMBERS
from .model import QUESTION_KINDS, SETTING_NAMES, Choice, Par, Question
from .parse import Ctx, refuse_unknown, text_value, relative_events, setting_name, setting_value

COMMON = ("id", "kind", "prompt", "explanation", "hints", "then", "after.ms")
BY_KIND = {
    "choice": ("choices",),
    "number": ("measure", "answer", "tolerance", "unit"),
    "pick": ("measure", "answer"),
    "challenge": ("goal", "allowed", "changes", "apply", "solution", "par"),
}
KNOWN = COMMON + tuple(k for keys in BY_KIND.values() for k in keys)
PAR_KEYS = ("measure", "value", "tolerance", "candidates")
WHERE = "[steps.question]"


def question(ctx: Ctx, index: int, raw: Any) -> Question:
    """The step's question, checked according to its kind."""
    if not isinstance(raw, dict):
        raise ctx.error(WHERE, "must be a table")
    try:
        table = flatten(raw, KNOWN)
    except DuplicateKey as dup:
        raise ctx.error(f"{WHERE} {dup.name}", "given twice") from None
    kind = table.get("kind")
    if kind not in QUESTION_KINDS:
        raise ctx.error(f"{WHERE} kind", f"takes {one_of(QUESTION_KINDS)}, not "
                                          f"{show(kind) if kind is not None else 'nothing'}")
    refuse_unknown(ctx.error(None, ""), table, COMMON + BY_KIND[kind], f"a {kind} question", prefix=f"{WHERE} ")
    after = _after(ctx, kind, table.get("after.ms"))
    base = dict(
        id=_id(ctx, index, table.get("id")), kind=kind,
        prompt=text_value(ctx.path, ctx.step, f"{WHERE} prompt", table.get("prompt")),
        explanation=text_value(ctx.path, ctx.step, f"{WHERE} explanation", table.get("explanation")),
        hints=_hints(ctx, table.get("hints", [])),
        then=relative_events(ctx, "[[steps.question.then]]", table.get("then", [])),
        after_ms=after)
    return Question(**base, **_BUILD[kind](ctx, table, after is not None))


def _id(ctx: Ctx, index: int, value: Any) -> str:
    """The question's id in progress files; step-N unless given."""
    if value is None:
        return f"step-{index + 1}"
    if not isinstance(value, str) or not value.strip():
        raise ctx.error(f"{WHERE} id", f"takes a string, not {show(value)}")
    return value.strip()


def _after(ctx: Ctx, kind: str, value: Any) -> float | None:
    """after.ms: measure the live run this long after the decision point instead of at the end."""
    if value is None:
        return None
    if kind in ("pick", "challenge"):
        raise ctx.error(f"{WHERE} after.ms", f"a {kind} question is judged on the finished run")
    if not is_number(value) or not 0 <= value <= MAX_TIME_MS:
        raise ctx.error(f"{WHERE} after.ms", f"takes a number of milliseconds >= 0 and at most {MAX_TIME_MS} "
                        f"(one hour of simulated time), not {show(value)}")
    return float(value)


def _hints(ctx: Ctx, value: Any) -> tuple[str, ...]:
    """Hints, shown one at a time."""
    if not isinstance(value, list) or not all(isinstance(h, str) and h.strip() for h in value):
        raise ctx.error(f"{WHERE} hints", f"takes a list of strings, not {show(value)}")
    return tuple(h.strip() for h in value)


def _claim(ctx: Ctx, where: str, value: Any, live: bool) -> Any:
    """A claim table, with the error placed at `where`."""
    try:
        return parse_claim(value, live)
    except ValueError as err:
        raise ctx.error(where, str(err)) from None


# --- the kinds -----------------------------------------------------------------------------
def _choice(ctx: Ctx, table: dict[str, Any], live: bool) -> dict[str, Any]:
    """[[steps.question.choices]]: text, claim, and correct = true on exactly one."""
    raw = table.get("choices")
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        raise ctx.error(f"{WHERE} choices", "takes 2 to 6 [[steps.question.choices]] tables")
    choices = tuple(_one_choice(ctx, i, c, live) for i, c in enumerate(raw, start=1))
    if sum(c.correct for c in choices) != 1:
        raise ctx.error(f"{WHERE} choices", "exactly one choice needs correct = true")
    return {"choices": choices}


def _one_choice(ctx: Ctx, i: int, raw: Any, live: bool) -> Choice:
    """One choice."""
    where = f"[[steps.question.choices]] #{i}"
    if not isinstance(raw, dict):
        raise ctx.error(where, "must be a table with text and claim")
    refuse_unknown(ctx.error(None, ""), raw, ("text", "claim", "correct", "feedback"), "a choice",
                   prefix=f"{where} ")
    correct = raw.get("correct", False)
    if not isinstance(correct, bool):
        raise ctx.error(f"{where} correct", f"takes true or false, not {show(correct)}")
    if "claim" not in raw:
        raise ctx.error(where, "needs a claim the engine can check, e.g. claim = { lost_acked = 0 }")
    feedback = text_value(ctx.path, ctx.step, f"{where} feedback", raw["feedback"]) if "feedback" in raw else ""
    return Choice(text_value(ctx.path, ctx.step, f"{where} text", raw.get("text")),
                  _claim(ctx, f"{where} claim", raw["claim"], live), correct, feedback)


def _number(ctx: Ctx, table: dict[str, Any], live: bool) -> dict[str, Any]:
    """A number the learner predicts: a measure, the answer key and a tolerance."""
    measure = _measure(ctx, table.get("measure"), LIVE_NUMBERS if live else OUTCOME_NUMBERS)
    answer, tolerance = table.get("answer"), table.get("tolerance", 0)
    if not is_number(answer):
        raise ctx.error(f"{WHERE} answer", f"takes a number, not {show(answer) if answer is not None else 'nothing'}")
    if not is_number(tolerance) or tolerance < 0:
        raise ctx.error(f"{WHERE} tolerance", f"takes a number >= 0, not {show(tolerance)}")
    unit = table.get("unit", "")
    if not isinstance(unit, str):
        raise ctx.error(f"{WHERE} unit", f"takes a string, not {show(unit)}")
    return {"measure": measure, "answer": answer, "tolerance": float(tolerance), "unit": unit}


def _pick(ctx: Ctx, table: dict[str, Any], live: bool) -> dict[str, Any]:
    """A set of record ids the learner picks."""
    measure = _measure(ctx, table.get("measure"), OUTCOME_IDS)
    try:
        answer = parse_ids(table.get("answer"))
    except ValueError as err:
        raise ctx.error(f"{WHERE} answer", str(err)) from None
    return {"measure": measure, "answer": answer}


def _measure(ctx: Ctx, value: Any, known: tuple[str, ...]) -> str:
    """A measure this kind of question can use."""
    if value not in known:
        raise ctx.error(f"{WHERE} measure", f"takes one of {', '.join(known)}, not "
                                             f"{show(value) if value is not None else 'nothing'}")
    return value


def _challenge(ctx: Ctx, table: dict[str, Any], live: bool) -> dict[str, Any]:
    """Change settings so that a goal holds; a solution to show, and maybe a par to beat."""
    apply = table.get("apply", "now")
    if apply not in ("now", "start"):
        raise ctx.error(f"{WHERE} apply", f"takes \"now\" or \"start\", not {show(apply)}")
    allowed = _allowed(ctx, table.get("allowed"), apply)
    changes = table.get("changes", 1)
    if not is_int(changes) or not 1 <= changes <= len(allowed):
        raise ctx.error(f"{WHERE} changes", f"takes an integer from 1 to {len(allowed)} (the allowed settings), "
                                            f"not {show(changes)}")
    if "goal" not in table:
        raise ctx.error(WHERE, "a challenge needs goal = { ... }, e.g. { lost_acked = 0 }")
    solution = settings_table(ctx, f"{WHERE} solution", table.get("solution"), allowed, changes)
    return {"goal": _claim(ctx, f"{WHERE} goal", table["goal"], False), "allowed": allowed,
            "changes": changes, "apply": apply, "solution": solution,
            "par": _par(ctx, table["par"], allowed) if "par" in table else None}


def _allowed(ctx: Ctx, value: Any, apply: str) -> tuple[str, ...]:
    """The settings the learner may change."""
    where = f"{WHERE} allowed"
    if not isinstance(value, list) or not value:
        raise ctx.error(where, "takes a non-empty list of settings such as [\"producer.acks\"]")
    for name in value:
        setting_name(ctx, where, name)
        if apply == "now" and is_start_only(name):
            raise ctx.error(where, f"{name} only takes effect when a run starts; use apply = \"start\"")
    return tuple(value)


def settings_table(ctx: Ctx, where: str, raw: Any, allowed: tuple[str, ...], changes: int) -> dict[str, Any]:
    """{ "producer.acks" = "all" }: allowed settings only, at most `changes` of them, values checked."""
    if not isinstance(raw, dict) or not raw:
        raise ctx.error(where, "takes a table such as { \"producer.acks\" = \"all\" }")
    try:
        flat = flatten(raw, SETTING_NAMES)
    except DuplicateKey as dup:
        raise ctx.error(f"{where} {dup.name}", "given twice") from None
    if len(flat) > changes:
        raise ctx.error(where, f"changes {len(flat)} settings; the challenge allows {changes}")
    out = {}
    for name, value in flat.items():
        section, key, checked = setting_value(ctx, where, name, value)
        if name not in allowed:
            raise ctx.error(where, f"{name} is not in allowed")
        out[name] = checked
    return out


def _par(ctx: Ctx, raw: Any, allowed: tuple[str, ...]) -> Par:
    """par = { measure = "latency.p99.ms", value = 12, tolerance = 0.5, candidates = {...} }."""
    where = f"{WHERE} par"
    if not isinstance(raw, dict):
        raise ctx.error(where, "takes a table with measure and value")
    try:
        table = flatten(raw, PAR_KEYS)
    except DuplicateKey as dup:
        raise ctx.error(f"{where} {dup.name}", "given twice") from None
    refuse_unknown(ctx.error(None, ""), table, PAR_KEYS, "par", prefix="par ")
    measure = table.get("measure")
    if measure not in OUTCOME_NUMBERS:
        raise ctx.error(f"{where} measure", f"takes one of {', '.join(OUTCOME_NUMBERS)}, not {show(measure)}")
    value, tolerance = table.get("value"), table.get("tolerance", 0.5)
    if not is_number(value) or not is_number(tolerance) or tolerance < 0:
        raise ctx.error(where, "value and tolerance take numbers (tolerance >= 0)")
    return Par(measure, float(value), float(tolerance), _candidates(ctx, table.get("candidates", {}), allowed))


def _candidates(ctx: Ctx, raw: Any, allowed: tuple[str, ...]) -> dict[str, tuple[Any, ...]]:
    """Values `tutor check` tries for numeric settings when it verifies that par is the best."""
    where = f"{WHERE} par candidates"
    if not isinstance(raw, dict):
        raise ctx.error(where, "takes a table such as { \"producer.linger.ms\" = [0, 5, 20] }")
    try:
        flat = flatten(raw, SETTING_NAMES)
    except DuplicateKey as dup:
        raise ctx.error(f"{where} {dup.name}", "given twice") from None
    out = {}
    for name, values in flat.items():
        if name not in allowed or not isinstance(values, list) or not values:
            raise ctx.error(where, f"{name}: takes a non-empty list of values of an allowed setting")
        out[name] = tuple(setting_value(ctx, where, name, v)[2] for v in values)
    return out


_BUILD = {"choice": _choice, "number": _number, "pick": _pick, "challenge": _challenge}
