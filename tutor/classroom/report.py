"""`tutor class report NAME`: what a class answered, question by question, and each student's score."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

from tutor.lessons.catalog import Catalog
from tutor.lessons.model import Lesson, Question

from .folder import ClassFolder

POLICIES = {"first": "first attempt: right the first time it was answered (a challenge: solved without show me)",
            "best": "best attempt: right on any attempt made without show me",
            "last": "last attempt: right on the latest attempt"}


def first_tries(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A question's attempts in time order."""
    return sorted(answer.get("tries", []), key=lambda t: t["at"])


def option_label(q: Question, given: Any) -> tuple[str, bool | None, str]:
    """(how an answer reads, is it the key?, the misconception a wrong choice stands for)."""
    if q.kind == "choice" and isinstance(given, int) and not isinstance(given, bool) and 0 <= given < len(q.choices):
        choice = q.choices[given]
        misconception = "" if choice.correct else (getattr(choice, "feedback", "") or choice.text)
        return f"{chr(ord('a') + given)}) {choice.text}", choice.correct, misconception
    if q.kind == "number" and isinstance(given, (int, float)) and not isinstance(given, bool) and \
            isinstance(q.answer, (int, float)):
        return f"{given:g}{(' ' + q.unit) if q.unit else ''}", abs(given - q.answer) <= q.tolerance, ""
    return str(given) if not isinstance(given, dict) else ", ".join(f"{k}={v}" for k, v in given.items()), None, ""


def changed_after_hint(answer: dict[str, Any]) -> bool:
    """Did a later answer differ from an earlier one, with a hint asked between the two?"""
    tries, hints = first_tries(answer), answer.get("hints", [])
    for before, after in zip(tries, tries[1:]):
        if before.get("answer") != after.get("answer") and any(before["at"] <= h <= after["at"] for h in hints):
            return True
    return False


def question_figures(lesson: Lesson, step: int, q: Question, students: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One question across the class: answered, first answers by option, hints that changed minds, not reached."""
    answered, changed, missing, firsts = [], [], [], Counter()
    keyed, misconceptions = {}, {}
    for name, data in students.items():
        record = data["lessons"].get(lesson.id)
        answer = (record or {}).get("answers", {}).get(q.id, {})
        tries = first_tries(answer)
        if not tries:
            if not record or record.get("step", 0) < step and record.get("status") != "done":
                missing.append(name)
            continue
        answered.append(name)
        label, right, misconception = option_label(q, tries[0].get("answer"))
        firsts[label] += 1
        keyed[label] = right if right is not None else bool(tries[0].get("correct"))
        misconceptions[label] = misconception
        if changed_after_hint(answer):
            changed.append(name)
    options = [{"answer": label, "count": n, "correct": keyed[label], "misconception": misconceptions[label]}
               for label, n in sorted(firsts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"lesson": lesson.id, "question": q.id, "kind": q.kind, "prompt": q.prompt.strip().splitlines()[0],
            "key": key_text(q), "answered": len(answered), "first_answers": options,
            "changed_after_hint": sorted(changed), "not_reached": sorted(missing)}


def key_text(q: Question) -> str:
    """The answer key as the report names it."""
    if q.kind == "choice":
        i = q.correct_choice
        return f"{chr(ord('a') + i)}) {q.choices[i].text}"
    if q.kind == "number":
        return f"{q.answer}{(' ' + q.unit) if q.unit else ''}" + (f" (within {q.tolerance:g})" if q.tolerance else "")
    return "" if q.answer is None else str(q.answer)


def student_figures(name: str, data: dict[str, Any], catalog: Catalog, policy: str) -> dict[str, Any]:
    """One student: lessons done and started, questions answered, and their score under the policy."""
    total = answered = right = 0
    for lesson in catalog.lessons:
        for _, q in lesson.questions():
            total += 1
            answer = data["lessons"].get(lesson.id, {}).get("answers", {}).get(q.id)
            if answer and (answer.get("tries") or answer.get("attempts")):
                answered += 1
                right += scored(answer, policy)
    statuses = [r["status"] for r in data["lessons"].values()]
    return {"student": data.get("user") or name, "done": statuses.count("done"), "started": statuses.count("started"),
            "answered": answered, "score": right, "questions": total}


def scored(answer: dict[str, Any], policy: str) -> bool:
    """Does this question count as right under the policy?"""
    tries = first_tries(answer)
    if policy == "first" or not tries:
        return bool(answer.get("first_correct")) or bool(answer.get("solved_unaided"))
    if policy == "best":
        return any(t["correct"] and not t.get("shown") for t in tries)
    return bool(tries[-1]["correct"]) and not tries[-1].get("shown")


def class_report(folder: ClassFolder, catalog: Catalog, policy: str = "first") -> dict[str, Any]:
    """The whole report as data (what --json prints)."""
    students = {data.get("user") or stem: data for stem, data in folder.students()}
    questions = [question_figures(lesson, step, q, students)
                 for lesson in catalog.lessons for step, q in lesson.questions()]
    return {"class": folder.name, "students": len(students), "score_policy": policy,
            "score_policy_means": POLICIES[policy], "questions": questions,
            "per_student": [student_figures(n, d, catalog, policy) for n, d in sorted(students.items())]}


def report_json(report: dict[str, Any]) -> str:
    """The report as one JSON object."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def report_csv(report: dict[str, Any]) -> str:
    """Two tables in one CSV: a row per question and first answer, then a row per student."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["class", report["class"], "score policy", report["score_policy"]])
    w.writerow(["lesson", "question", "answered", "first answer", "count", "correct", "misconception",
                "changed after a hint", "not reached"])
    for q in report["questions"]:
        rows = q["first_answers"] or [{"answer": "", "count": 0, "correct": "", "misconception": ""}]
        for o in rows:
            w.writerow([q["lesson"], q["question"], q["answered"], o["answer"], o["count"],
                        str(o["correct"]).lower(), o["misconception"], len(q["changed_after_hint"]),
                        " ".join(q["not_reached"])])
    w.writerow(["student", "done", "started", "answered", "score", "questions"])
    for s in report["per_student"]:
        w.writerow([s["student"], s["done"], s["started"], s["answered"], s["score"], s["questions"]])
    return buf.getvalue()


def report_text(report: dict[str, Any]) -> str:
    """The report for a terminal."""
    out = [f"class {report['class']}: {report['students']} students",
           f"score policy: {report['score_policy_means']}", ""]
    for q in report["questions"]:
        if not q["answered"] and not report["students"]:
            continue
        out.append(f"{q['lesson']} / {q['question']}: {q['prompt']}")
        out.append(f"  answered {q['answered']}; key: {q['key']}")
        for o in q["first_answers"]:
            mark = "right" if o["correct"] else "wrong"
            tail = f" (misconception: {o['misconception']})" if o["misconception"] else ""
            out.append(f"  {o['count']:>3} × {o['answer']} [{mark}]{tail}")
        out.append(f"  changed their answer after a hint: {len(q['changed_after_hint'])}"
                   + (f" ({', '.join(q['changed_after_hint'])})" if q["changed_after_hint"] else ""))
        if q["not_reached"]:
            out.append(f"  not reached yet: {', '.join(q['not_reached'])}")
    out += ["", "students:"]
    for s in report["per_student"]:
        out.append(f"  {s['student']}: {s['done']} lessons done, {s['started']} started; "
                   f"score {s['score']} of {s['answered']} answered ({s['questions']} questions in all)")
    return "\n".join(out) + "\n"
