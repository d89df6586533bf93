"""What a learner types, read into the forms LessonRun takes, and a run's answers written to progress."""

from __future__ import annotations

import tomllib
from typing import Any

from tutor.sim.spec import ACTIONS, Action

from .ids import parse_ids
from .judge import letter
from .model import Question
from .progress import ProgressStore
from .run import LessonRun


def parse_answer(q: Question, text: str) -> Any:
    """A typed answer in the form LessonRun.submit takes; ValueError if it cannot be read."""
    text = text.strip()
    if q.kind == "choice":
        return _choice_index(q, text)
    if q.kind == "number":
        try:
            return float(text.replace(",", ""))
        except ValueError:
            raise ValueError("answer with a number, e.g. 12") from None
    if q.kind == "pick":
        return parse_ids(text)
    return parse_settings(text)


def _choice_index(q: Question, text: str) -> int:
    """"b" or "2" -> 1."""
    if len(text) == 1 and text.isalpha() and 0 <= ord(text.upper()) - 65 < len(q.choices):
        return ord(text.upper()) - 65
    if text.isdigit() and 1 <= int(text) <= len(q.choices):
        return int(text) - 1
    raise ValueError(f"answer with a letter from A to {letter(len(q.choices) - 1)}")


def parse_settings(text: str) -> dict[str, Any]:
    """"producer.acks=all, topic.min.insync.replicas=2" -> {"producer.acks": "all", ...}."""
    out = {}
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        name, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"write {part.strip()}=VALUE")
        out[name.strip()] = typed(value.strip())
    return out


def typed(text: str) -> Any:
    """A typed value as TOML reads it ("2" -> 2, "true" -> True), else the text itself ("all")."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):  # "[[[[...": nested past Python's stack
        return text


def parse_action(text: str) -> Action:
    """"power-loss leader", "crash broker-2", "heal", "slow followers 100" as an engine Action; the app's
    failure keys (K, L, D, S, Z, X, P, C, E, R, H) and plain words ("kill the leader", "power loss") too."""
    keys = {"K": "crash leader", "L": "power-loss leader", "D": "power-loss all-brokers", "S": "slow followers",
            "Z": "partition leader | followers,controller", "X": "partition producer | leader",
            "P": "crash producer", "C": "crash consumer", "E": "processing-error consumer",
            "R": "restart all-brokers", "H": "heal"}
    text = keys.get(text.strip(), text).lower().replace("power loss", "power-loss").replace(
        "processing error", "processing-error").replace("zombie", "partition leader | followers,controller")
    words = [w for w in text.split() if w not in ("the", "a", "an")]
    words[:1] = [{"kill": "crash", "power": "power-loss", "outage": "power-loss"}.get(w, w) for w in words[:1]]
    if text.split()[:1] == ["outage"]:
        words = ["power-loss", "all-brokers"]
    if words[:1] in (["crash"], ["power-loss"]) and len(words) == 1:
        words.append("leader")  # as the app's keys: aimed at the leader unless told otherwise
    if not words or words[0] not in ACTIONS:
        raise ValueError(f"actions are {', '.join(ACTIONS)}")
    action, target = words[0], words[1] if len(words) > 1 else None
    params: dict[str, Any] = {}
    if action == "slow":
        params["delay.ms"] = float(words[2]) if len(words) > 2 else 2000.0
    if action == "partition":
        sides = " ".join(words[1:]).split("|")
        if len(sides) != 2:
            raise ValueError("write: partition leader | followers,controller")
        params["between"] = [[n.strip() for n in s.split(",") if n.strip()] for s in sides]
        target = None
    return Action(action, target, params=params)


def save_run(store: ProgressStore, run: LessonRun, saved: set[str], final: bool = False,
             done: bool = False, step: bool = True) -> None:
    """Write a run's step and its closed answers (each once) to the progress store; `final`: all of them."""
    lesson = run.lesson
    store.record_step(lesson.id, run.index if step else store.lesson(lesson.id).get("step", 0),
                      len(lesson.steps), len(lesson.questions()))
    questions = {q.id: q for _, q in lesson.questions()}
    for qid, answer in run.answers.items():
        q = questions[qid]
        closed = answer.first_correct is not None or answer.solved or answer.shown
        if qid not in saved and (closed or (final and answer.attempts)):
            store.record_answer(lesson.id, qid, q.kind, answer, q.par.value if q.par else None)
            saved.add(qid)
    if done:
        store.record_done(lesson.id)
    store.save()
