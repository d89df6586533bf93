"""Read a lesson TOML file, check every part of it, and build a Lesson (or raise one LessonError)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.scenario import ScenarioError, validate
from tutor.scenario.errors import show, suggest
from tutor.scenario.events import Nodes, check_events
from tutor.scenario.flatten import DuplicateKey, flatten
from tutor.scenario.limits import MAX_TIME_MS, read_text
from tutor.scenario.loader import parse_toml
from tutor.scenario.sections import check_section
from tutor.scenario.values import check_value, is_number
from tutor.sim.config import SETTINGS, is_start_only
from tutor.sim.spec import Action, Scenario

from .conditions import parse_condition
from .errors import LessonError, step_label
from .model import (FAILURE_NAMES, LOCK_GROUPS, SETTING_NAMES, Lesson, Step, Wait,
                    split_name)

TOP_KEYS = ("id", "title", "teaches", "prerequisites", "scenario", "steps", "labs")
STEP_KEYS = ("title", "narration", "restart", "set", "lock", "unlock", "events", "wait", "question")
WAIT_KEYS = ("ms", "action", "target", "setting", "value", "until", "limit.ms", "prompt",
             "restart.after.ms", "delay.ms", "between")
WAIT_KINDS = ("ms", "action", "setting", "until")
DEFAULT_LIMIT_MS = 120_000.0
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Ctx:
    """Where we are in the file, for error messages, and what the scenario offers."""

    path: str
    scenario: Scenario
    nodes: Nodes
    step: str | None = None
    clients: dict[str, str] = field(default_factory=dict)  # the client in force per section (steps may switch)

    def client(self, section: str) -> str | None:
        """The client of the producer or consumer section, as the steps so far have left it."""
        given = (self.scenario.given.get(section) or {}).get("client")
        return self.clients.get(section, given)

    def error(self, key: str | None, message: str) -> LessonError:
        """A LessonError at this place."""
        return LessonError(self.path, self.step, key, message)


def load_lesson(path: str | Path) -> Lesson:
    """Read and check a lesson file; LessonError names the file, the step and the key."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror.lower() if isinstance(err, OSError) and err.strerror else str(err)
        raise LessonError(str(path), None, None, f"cannot read: {reason}") from None
    return parse_lesson(text, source=str(path))


def parse_lesson(text: str, source: str = "<string>") -> Lesson:
    """Parse and check lesson TOML text."""
    data = parse_toml(text, source, lambda path, where, message: LessonError(path, None, where, message))
    return build_lesson(data, source)


def build_lesson(data: dict[str, Any], source: str) -> Lesson:
    """Check parsed TOML data and build the Lesson."""
    refuse_unknown(LessonError(source, None, None, ""), data, TOP_KEYS, "the top level")
    lesson_id = _lesson_id(source, data.get("id"))
    title = text_value(source, None, "title", data.get("title"))
    scenario = _scenario(source, data.get("scenario", {}), title)
    nodes = _nodes(scenario)
    ctx = Ctx(source, scenario, nodes)
    steps = _steps(ctx, data.get("steps"))
    _unique_question_ids(source, steps)
    return Lesson(lesson_id, title, text_value(source, None, "teaches", data.get("teaches")),
                  _prerequisites(source, data.get("prerequisites", [])), scenario, steps, source,
                  _labs(source, data.get("labs", [])))


def _nodes(scenario: Any) -> Nodes:
    """What the lesson's events may name: the scenario's brokers, roles and group members (those a
    `join` in its own events starts included: the simulation creates only those)."""
    consumer = scenario.config.consumer
    instances = consumer["instances"] if consumer is not None else 1
    joined = [int(a.target.rsplit("-", 1)[1]) for a in scenario.events
              if a.action == "join" and a.target and a.target.startswith("consumer-")]
    return Nodes(scenario.config.cluster["brokers"], consumer is not None, scenario.config.topic["partitions"],
                 instances, max([instances, *joined]))


def _unique_question_ids(source: str, steps: tuple[Step, ...]) -> None:
    """Question ids name entries in progress files, so no two may be the same."""
    seen: dict[str, int] = {}
    for i, step in enumerate(steps):
        q = step.question
        if q is None:
            continue
        if q.id in seen:
            raise LessonError(source, step_label(i, step.title), "[steps.question] id",
                              f"question id \"{q.id}\" is used twice (also in step {seen[q.id] + 1})")
        seen[q.id] = i


# --- top level -----------------------------------------------------------------------------
def refuse_unknown(err: LessonError, table: dict[str, Any], allowed: tuple[str, ...], where: str,
                    prefix: str = "") -> None:
    """Refuse a key the format does not have, suggesting the closest one."""
    for key in table:
        if key not in allowed:
            hint = suggest(key, allowed) or f"; {where} takes {', '.join(allowed)}"
            raise LessonError(err.path, err.step, prefix + key, "unknown key" + hint)


def _lesson_id(source: str, value: Any) -> str:
    """A short id of lowercase letters, digits and dashes."""
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise LessonError(source, None, "id", f"takes a short id such as \"acks-1\" (lowercase letters, "
                                              f"digits, dashes), not {show(value) if value is not None else 'nothing'}")
    return value


def text_value(source: str, step: str | None, key: str, value: Any) -> str:
    """A required non-empty string."""
    if not isinstance(value, str) or not value.strip():
        found = "nothing" if value is None else show(value)
        raise LessonError(source, step, key, f"takes a non-empty string, not {found}")
    return value.strip()


def _labs(source: str, value: Any) -> tuple[str, ...]:
    """A list of lab names (`tutor check` verifies that each exists)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise LessonError(source, None, "labs", f"takes a list of lab names such as [\"auto-commit\"], not "
                                                f"{show(value)}")
    return tuple(value)


def _prerequisites(source: str, value: Any) -> tuple[str, ...]:
    """A list of lesson ids."""
    if not isinstance(value, list) or not all(isinstance(v, str) and ID_PATTERN.match(v) for v in value):
        raise LessonError(source, None, "prerequisites", f"takes a list of lesson ids, not {show(value)}")
    return tuple(value)


def _scenario(source: str, table: Any, title: str) -> Scenario:
    """The starting scenario: the same tables as a scenario file, under [scenario]."""
    if not isinstance(table, dict):
        raise LessonError(source, None, "scenario", "must be a table: [scenario], [scenario.producer], ...")
    if "expect" in table:
        raise LessonError(source, None, "[scenario.expect]",
                          "a lesson checks its questions against the engine; it has no [expect]")
    try:
        return validate(table, source, default_title=title)
    except ScenarioError as err:
        raise LessonError(source, None, _scenario_key(err.key), err.message) from None


def _scenario_key(key: str | None) -> str:
    """A scenario loader's key as written inside a lesson: [producer] -> [scenario.producer]."""
    if key is None:
        return "[scenario]"
    if key.startswith("[["):
        return "[[scenario." + key[2:]
    if key.startswith("["):
        return "[scenario." + key[1:]
    return f"[scenario] {key}"


# --- steps ---------------------------------------------------------------------------------
def _steps(ctx: Ctx, raw: Any) -> tuple[Step, ...]:
    """The [[steps]] array, each step checked in order."""
    if not isinstance(raw, list) or not raw:
        raise ctx.error("steps", "a lesson needs at least one [[steps]] table")
    from .parse_question import question  # a sibling module; imported here to keep this one short

    steps = []
    for i, table in enumerate(raw):
        if not isinstance(table, dict):
            raise ctx.error(f"[[steps]] #{i + 1}", "must be a table")
        ctx.step = step_label(i, table.get("title") if isinstance(table.get("title"), str) else None)
        refuse_unknown(ctx.error(None, ""), table, STEP_KEYS, "a step")
        steps.append(_step(ctx, i, table, question))
    ctx.step = None
    return tuple(steps)


def _step(ctx: Ctx, index: int, table: dict[str, Any], question: Any) -> Step:
    """One step."""
    q = table.get("question")
    restart = table.get("restart", False)
    if not isinstance(restart, bool):
        raise ctx.error("restart", f"takes true or false, not {show(restart)}")
    return Step(
        title=text_value(ctx.path, ctx.step, "title", table.get("title")),
        narration=text_value(ctx.path, ctx.step, "narration", table.get("narration")),
        settings=step_settings(ctx, table.get("set", {}), restart),
        restart=restart,
        lock=_names(ctx, "lock", table.get("lock", [])),
        unlock=_names(ctx, "unlock", table.get("unlock", [])),
        events=relative_events(ctx, "[[steps.events]]", table.get("events", [])),
        wait=_wait(ctx, table["wait"]) if "wait" in table else None,
        question=question(ctx, index, q) if q is not None else None,
    )


def step_settings(ctx: Ctx, table: Any, restart: bool = False) -> tuple[tuple[str, str, Any], ...]:
    """[steps.set.SECTION] tables: Kafka property names checked as in a scenario file."""
    if not isinstance(table, dict):
        raise ctx.error("set", "takes tables of settings by section, e.g. [steps.set.producer]")
    out = []
    for section, values in table.items():
        for key, value in section_values(ctx, f"[steps.set.{section}]", section, values).items():
            if is_start_only(f"{section}.{key}") and not restart:
                raise ctx.error(f"[steps.set.{section}] {key}",
                                "only takes effect when a run starts; set it in [scenario], or give the "
                                "step restart = true")
            out.append((section, key, value))
    for section, key, value in out:
        if key == "client":
            ctx.clients[section] = value
    return tuple(out)


def section_values(ctx: Ctx, where: str, section: str, values: Any) -> dict[str, Any]:
    """A section's settings checked for the scenario's client; ScenarioError becomes LessonError."""
    if section not in SECTIONS_WITH_SETTINGS:
        hint = suggest(section, SECTIONS_WITH_SETTINGS) or ""
        raise ctx.error(where, "unknown section" + hint.replace("mean ", "mean [steps.set.").replace("?", "]?"))
    if section == "consumer" and ctx.scenario.config.consumer is None:
        raise ctx.error(where, "the scenario has no consumer: add [scenario.consumer]")
    client = ctx.client(section)
    if not isinstance(values, dict):
        raise ctx.error(where, "must be a table of settings")
    written = _flat_keys(values)
    never = {k for k, v in written.items() if v == "never" and _is_flush(section, k)}
    table = {k: v for k, v in written.items() if k not in never}
    if client is not None and "client" not in table:
        table["client"] = client  # check the keys against the scenario's client
    try:
        checked = check_section(ctx.path, section, table)
    except ScenarioError as err:
        raise ctx.error(err.key.replace(f"[{section}]", where) if err.key else where, err.message) from None
    return {k: (None if k in never else checked[k]) for k in written}


def _is_flush(section: str, key: str) -> bool:
    """A flush interval, whose "never" TOML cannot write as a value."""
    setting = SETTINGS.get((section, key))
    return setting is not None and setting.kind == "flush"


SECTIONS_WITH_SETTINGS = ("cluster", "topic", "broker", "producer", "consumer", "workload", "network")


def _flat_keys(values: dict[str, Any]) -> dict[str, Any]:
    """The settings as dotted names (a repeated name is left for check_section to refuse)."""
    try:
        return flatten(values)
    except DuplicateKey:
        return dict(values)


def _names(ctx: Ctx, key: str, value: Any) -> tuple[str, ...]:
    """Control names for lock/unlock: groups, failure names and "section.key" settings."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ctx.error(key, f"takes a list of control names, not {show(value)}")
    known = LOCK_GROUPS + FAILURE_NAMES + SETTING_NAMES
    for name in value:
        if name not in known:
            hint = suggest(name, known) or f"; it takes {', '.join(LOCK_GROUPS + FAILURE_NAMES)} or a setting"
            raise ctx.error(key, f"unknown control {show(name)}{hint}")
    return tuple(value)


def relative_events(ctx: Ctx, where: str, raw: Any) -> tuple[Action, ...]:
    """Event tables as in [[scenario.events]], at.ms counted from the step (or decision) start."""
    for i, table in enumerate(raw if isinstance(raw, list) else [], start=1):
        if isinstance(table, dict) and "when.processed" in _flat_keys(table):
            raise ctx.error(f"{where} #{i} when.processed",
                            "a step's events take at.ms (from the step's start); put count-triggered "
                            "events in [[scenario.events]]")
    try:
        return tuple(check_events(ctx.path, raw, ctx.nodes))
    except ScenarioError as err:
        raise ctx.error((err.key or "").replace("[[events]]", where) or where, err.message) from None


# --- waits ---------------------------------------------------------------------------------
def _wait(ctx: Ctx, raw: Any) -> Wait:
    """One of ms, action, setting or until."""
    if not isinstance(raw, dict):
        raise ctx.error("wait", "takes a table, e.g. wait = { ms = 2000 }")
    try:
        table = flatten(raw, WAIT_KEYS)
    except DuplicateKey as dup:
        raise ctx.error(f"wait {dup.name}", "given twice") from None
    refuse_unknown(ctx.error(None, ""), table, WAIT_KEYS, "wait", prefix="wait ")
    kinds = [k for k in WAIT_KINDS if k in table]
    if len(kinds) != 1:
        raise ctx.error("wait", "needs exactly one of ms, action, setting or until")
    prompt = table.get("prompt", "")
    if not isinstance(prompt, str):
        raise ctx.error("wait prompt", f"takes a string, not {show(prompt)}")
    return {"ms": _wait_ms, "action": _wait_action, "setting": _wait_setting,
            "until": _wait_until}[kinds[0]](ctx, table, prompt.strip())


def _wait_ms(ctx: Ctx, table: dict[str, Any], prompt: str) -> Wait:
    """Let the run play for a while."""
    _only(ctx, table, ("ms", "prompt"))
    return Wait("ms", ms=_ms(ctx, "wait ms", table["ms"]), prompt=prompt)


def _wait_action(ctx: Ctx, table: dict[str, Any], prompt: str) -> Wait:
    """Until the learner fires a failure (show me fires it); checked as an event table."""
    event = {k: v for k, v in table.items() if k not in ("prompt",)}
    action = relative_events(ctx, "wait", [{**event, "at.ms": 0}])[0]
    return Wait("action", action=action, prompt=prompt)


def _wait_setting(ctx: Ctx, table: dict[str, Any], prompt: str) -> Wait:
    """Until the learner sets a setting to a value (show me sets it)."""
    _only(ctx, table, ("setting", "value", "prompt"))
    name = table["setting"]
    if "value" not in table:
        raise ctx.error("wait", "a setting wait needs value = the value the learner should set")
    section, key, value = setting_value(ctx, "wait setting", name, table["value"])
    if is_start_only(name):
        raise ctx.error("wait setting", f"{name} only takes effect when a run starts")
    return Wait("setting", setting=name, value=value, prompt=prompt)


def _wait_until(ctx: Ctx, table: dict[str, Any], prompt: str) -> Wait:
    """Until a condition on the live run holds (checked every 100 ms of simulated time)."""
    _only(ctx, table, ("until", "limit.ms", "prompt"))
    try:
        condition = parse_condition(table["until"])
    except ValueError as err:
        raise ctx.error("wait until", str(err)) from None
    limit = _ms(ctx, "wait limit.ms", table.get("limit.ms", DEFAULT_LIMIT_MS))
    return Wait("until", ms=limit, until=condition, prompt=prompt)


def _only(ctx: Ctx, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse keys of other wait kinds."""
    for key in table:
        if key not in allowed:
            raise ctx.error(f"wait {key}", f"not used by this kind of wait; it takes {', '.join(allowed)}")


def _ms(ctx: Ctx, where: str, value: Any) -> float:
    """A duration: a number from 0 to MAX_TIME_MS."""
    if not is_number(value) or not 0 <= value <= MAX_TIME_MS:
        raise ctx.error(where, f"takes a number of milliseconds >= 0 and at most {MAX_TIME_MS} (one hour of "
                        f"simulated time, the longest a run may last), not {show(value)}")
    return float(value)


def setting_value(ctx: Ctx, where: str, name: Any, value: Any) -> tuple[str, str, Any]:
    """A "section.key" name and a value for it, both checked against the scenario's clients."""
    section, key = setting_name(ctx, where, name)
    if value == "never" and _is_flush(section, key):
        return section, key, None
    try:
        return section, key, check_value(SETTINGS[(section, key)], value)
    except ValueError as err:
        raise ctx.error(where, f"{name} {err}") from None


def setting_name(ctx: Ctx, where: str, name: Any) -> tuple[str, str]:
    """A "section.key" the model has, for a client and a section this scenario has."""
    if not isinstance(name, str) or name not in SETTING_NAMES:
        hint = suggest(str(name), SETTING_NAMES) or "; write it as section.key, e.g. producer.acks"
        raise ctx.error(where, f"unknown setting {show(name)}{hint}")
    section, key = split_name(name)
    if section == "consumer" and ctx.scenario.config.consumer is None:
        raise ctx.error(where, "the scenario has no consumer: add [scenario.consumer]")
    client = ctx.client(section) or "java"
    if section in ("producer", "consumer") and client not in SETTINGS[(section, key)].clients:
        raise ctx.error(where, f"{name} is not a setting of the {client} client")
    return section, key
