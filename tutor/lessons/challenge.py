"""Challenges: the learner's settings tried on a fork of the run, judged by the goal, measured against par."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.scenario.values import check_value
from tutor.sim.config import SETTINGS
from tutor.sim.session import derive

from .fork import Fork
from .judge import Verdict, words
from .measures import Outcome, amount, unit_of
from tutor.sim.config import is_start_only

from .model import SETTING_NAMES, Change, Question, split_name

if TYPE_CHECKING:
    from .run import LessonRun


def attempt(run: "LessonRun", q: Question, answer: dict[str, Any], best: float | None,
            shown: bool) -> tuple[Verdict, list[Change]]:
    """Judge one attempt; the Verdict's outcome is None when the attempt was refused before running."""
    changes, problems = check_answer(q, answer)
    if problems:
        return Verdict(False, "not tried: " + "; ".join(problems), q.explanation, final=False,
                       notes=problems), []
    try:
        made, outcome = play(run, q, changes)
    except ValueError as err:
        return Verdict(False, f"not tried: {err}", q.explanation, final=False, notes=[str(err)]), []
    return judge(q, outcome, best, shown), made


def check_answer(q: Question, answer: dict[str, Any]) -> tuple[list[Change], list[str]]:
    """The answer as changes, or what is wrong with it (not allowed, too many, bad values)."""
    problems, changes = [], []
    if not answer:
        problems.append("change at least one setting")
    if len(answer) > q.changes:
        problems.append(f"{len(answer)} settings changed; this challenge allows {q.changes}")
    for given, value in answer.items():
        name, unclear = qualified(given, q.allowed)
        if unclear:
            problems.append(unclear)
            continue
        if name not in q.allowed:
            problems.append(f"{name} is not one of the settings you may change ({', '.join(q.allowed)})")
            continue
        section, key = split_name(name)
        try:
            changes.append((section, key, _value(section, key, value)))
        except ValueError as err:
            problems.append(f"{name} {err}")
    return changes, problems


def qualified(name: str, allowed: tuple[str, ...]) -> tuple[str, str | None]:
    """A property name as given ("acks") made whole ("producer.acks") when only one setting has it: first among
    those the challenge allows, then among all; (name, why not) when it names several."""
    if "." in name and (name in allowed or name in SETTING_NAMES):
        return name, None
    for pool in (allowed, SETTING_NAMES):
        matches = [full for full in pool if split_name(full)[1] == name]
        if len(matches) == 1:
            return matches[0], None
        if len(matches) > 1:
            return name, f"{name} is more than one setting: write {' or '.join(matches)}"
    return name, None


def _value(section: str, key: str, value: Any) -> Any:
    """A value in canonical form ("never" unsets a flush interval)."""
    setting = SETTINGS[(section, key)]
    if setting.kind == "flush" and value in (None, "never"):
        return None
    return check_value(setting, value)


def play(run: "LessonRun", q: Question, changes: list[Change]) -> tuple[list[Change], Outcome]:
    """Play the run out from the decision point with the changes; ValueError if they cannot run together.

    The same answer at the same point is played once: `tutor check` plays the solution, then shows it."""
    sim = run.session.sim
    where = (sim.loop.steps, sim.now, len(run.session.interventions), q.id, q.apply,
             [(s, k, type(v).__name__, v) for s, k, v in changes], run.future())
    last = run.last_play
    if last is not None and last[0] is sim and last[1] == where:
        return list(last[2][0]), last[2][1]
    made, outcome = play_afresh(run, q, changes, keep=True)
    run.last_play = (sim, where, (list(made), outcome))
    return made, outcome


def play_afresh(run: "LessonRun", q: Question, changes: list[Change], keep: bool = False,
                watch: frozenset | None = None) -> tuple[list[Change], Outcome]:
    """Play the run out from the decision point with the changes, not kept as the last play. With `keep`, a
    start challenge's replay is kept for the lesson to restart with should the answer win (played on a copy);
    with `watch`, its replay notes which of those settings it reads."""
    if q.apply == "now":
        if any(is_start_only(f"{s}.{k}") for s, k, _ in changes):
            raise ValueError("a setting here only takes effect when a run starts")
        return changes, run.fork(derive(run.given, changes)).out()
    if keep:  # refuses impossible combinations; the lesson's session stays as it is
        attempt = run.session.prepare_restart(changes).sim.checkpoint()
    else:
        attempt = run.session.replayed_sim(changes, watch)
    return changes, Fork(attempt, run.future()).out()


def judge(q: Question, outcome: Outcome, best: float | None, shown: bool) -> Verdict:
    """Goal met? The par measure, the learner's best, and words for both."""
    failed = q.goal.failures(outcome)
    metric = outcome.value(q.par.measure) if q.par else None
    if not failed and metric is not None and not shown:
        best = metric if best is None else min(best, metric)
    truth = "goal met" if not failed else "goal not met: " + "; ".join(failed)
    notes = [] if failed or q.par is None else [_par_note(q, metric)]
    return Verdict(not failed and not shown, truth, q.explanation, final=not failed or shown,
                   shown=shown, metric=metric, par=q.par.value if q.par else None, best=best,
                   notes=notes, outcome=outcome)


def _par_note(q: Question, metric: float) -> str:
    """How an attempt compares with par."""
    par = q.par
    unit = unit_of(par.measure)
    what = f"{words(par.measure)}: {amount(metric, unit)} (par {amount(par.value, unit)})"
    if metric < par.value - par.tolerance:
        return what + " - better than par!"
    if metric <= par.value + par.tolerance:
        return what + " - on par"
    return what + " - the goal holds, but a cheaper setting exists"
