"""A challenge's verdict: the time from submitting an answer to the verdict, for every challenge of the shipped
lessons (goal: under 0.2 s).

    python benchmarks/verdict.py            # every shipped challenge: another answer, and the solution
    python benchmarks/verdict.py --repeat 3

What is timed is what the lesson screen's worker does once the learner submits: LessonRun.submit (the
answer played out on a copy of the run and judged; a winning answer also makes the change on the lesson's
run) and the run playing on to show it (make_watch). Each measurement starts from a fresh run played up to
the challenge, which is not timed. Wall and CPU time are both printed: the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from tutor.lessons import LessonRun, challenge, load_catalog
from tutor.lessons.check import _candidates, _every_value
from tutor.lessons.model import split_name
from tutor.lessons.run import QUESTION
from tutor.ui.lesson_driver import make_watch


def at_challenge(lesson, index: int) -> LessonRun:
    """A fresh run of the lesson, played as "show me" does up to step `index`, whose challenge is open."""
    run = LessonRun(lesson)
    while run.index < index:
        run.next()
    run.finish_wait()
    assert run.phase == QUESTION and run.question.kind == "challenge", (lesson.id, index)
    return run


def other_answer(run: LessonRun, q) -> dict | None:
    """An answer besides the solution that the challenge takes and plays (the first the check tries)."""
    for name in q.allowed:
        for value in _every_value(q, name) or _candidates(q, name):
            answer = {name: value}
            if answer == dict(q.solution) or challenge.check_answer(q, answer)[1]:
                continue
            try:
                challenge.play(run, q, challenge.check_answer(q, answer)[0])
            except ValueError:
                continue  # settings that cannot run together: refused, not judged
            return answer
    return None


def timed(lesson, index: int, answer: dict) -> tuple[float, float, bool]:
    """(wall s, CPU s, correct) of one submission on a fresh run."""
    run = at_challenge(lesson, index)
    q = run.question
    wall, cpu = time.perf_counter(), time.process_time()
    verdict = run.submit(answer)
    assert verdict.outcome is not None, (lesson.id, answer, verdict.truth)  # judged, not refused
    if verdict.final and run.phase != QUESTION:
        make_watch(run, q.after_ms)
    return time.perf_counter() - wall, time.process_time() - cpu, bool(verdict.correct)


def main() -> None:
    """Print each challenge's verdict times, then the worst and the median."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="measurements of each answer (the best is kept)")
    ap.add_argument("--lesson", help="only this lesson (an id)")
    args = ap.parse_args()
    walls = []
    for item in load_catalog().items:
        lesson = item.lesson
        if lesson is None or (args.lesson and lesson.id != args.lesson):
            continue
        for index, step in enumerate(lesson.steps):
            q = step.question
            if q is None or q.kind != "challenge":
                continue
            other = other_answer(at_challenge(lesson, index), q)
            for label, answer in (("other", other), ("solution", dict(q.solution))):
                if answer is None:
                    continue
                runs = [timed(lesson, index, answer) for _ in range(args.repeat)]
                wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
                walls.append(wall)
                print(f"{Path(item.path).name:32s} step {index + 1:2d} {q.apply:5s} {label:8s} "
                      f"{wall:5.2f} s wall {cpu:5.2f} s CPU ({'met' if runs[0][2] else 'not met'})", flush=True)
    print(f"{len(walls)} verdicts: worst {max(walls):.2f} s, median {statistics.median(walls):.2f} s wall "
          f"({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}); goal: under 0.2 s")


if __name__ == "__main__":
    main()
