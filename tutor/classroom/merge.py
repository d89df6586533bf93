"""`tutor class merge NAME FILES...`: students' exported progress added to a class folder, nothing lost."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tutor.lessons.progress import MAX_TRIES, load_progress
from tutor.scenario.safe import printable

from .folder import ClassError, ClassFolder, slug


def merge_files(folder: ClassFolder, paths: list[str]) -> list[tuple[str, bool]]:
    """Merge each file into its student's progress in the class: (its line, merged?) per file."""
    return [merge_file(folder, Path(path)) for path in paths]


def merge_file(folder: ClassFolder, path: Path) -> tuple[str, bool]:
    """One file: ("merged ...", True), or (the one line that says why it was refused, False)."""
    shown = printable(str(path), True)
    incoming, problem = load_progress(path)
    if problem:
        return f"{shown}: refused: {problem}", False
    klass, user = incoming.get("class"), incoming.get("user", "")
    if not klass:
        return (f"{shown}: refused: it names no class (export with `tutor progress --export json --class "
                f"NAME --student NAME`)"), False
    try:
        if slug(klass, "class") != slug(folder.name, "class"):
            return f"{shown}: refused: it is progress of class {printable(klass, True)}, not {folder.name}", False
        target = folder.student_file(user)
    except ClassError as err:
        return f"{shown}: refused: {err}", False
    existing, bad = load_progress(target) if target.exists() else ({"lessons": {}}, None)
    if bad:
        return f"{shown}: refused: {user}'s file in the class {bad}; it was left as it is", False
    if merged(existing, incoming) == existing:
        return f"{shown}: refused: a duplicate (everything in it is already in the class)", False
    folder.ensure()
    store = folder.store(user)
    store.change(lambda data: merge_into(data, incoming))
    store.save()
    if store.warnings:
        return f"{shown}: refused: {store.warnings[0]}", False
    return f"{shown}: merged into {folder.name}/{target.name} ({user})", True


def merged(data: dict[str, Any], incoming: dict[str, Any]) -> dict[str, Any]:
    """A copy of `data` with `incoming` merged in."""
    out = copy.deepcopy(data)
    merge_into(out, incoming)
    return out


def merge_into(data: dict[str, Any], incoming: dict[str, Any]) -> None:
    """Merge another copy of one student's progress into `data`: done wins, steps and bests are kept,
    every attempt and hint of both is kept once."""
    for lesson_id, theirs in incoming["lessons"].items():
        mine = data["lessons"].get(lesson_id)
        if mine is None:
            data["lessons"][lesson_id] = copy.deepcopy(theirs)
            continue
        if theirs.get("status") == "done":
            mine["status"] = "done"
        for key in ("step", "steps", "questions"):
            if key in theirs:
                mine[key] = max(mine.get(key, 0), theirs[key])
        mine["updated"] = max(mine.get("updated", ""), theirs.get("updated", ""))
        for qid, answer in theirs["answers"].items():
            mine["answers"][qid] = merged_answer(mine["answers"].get(qid), answer)


def merged_answer(mine: dict[str, Any] | None, theirs: dict[str, Any]) -> dict[str, Any]:
    """One question's two records as one: attempts in time order (each once), the first one's verdict."""
    if mine is None:
        return copy.deepcopy(theirs)
    seen, tries = set(), []
    for t in sorted(mine.get("tries", []) + theirs.get("tries", []), key=lambda t: t["at"]):
        key = json.dumps(t, sort_keys=True)
        if key not in seen:
            seen.add(key)
            tries.append(t)
    out = {**mine, **{k: v for k, v in theirs.items() if v is not None}}
    bests = [b for b in (mine.get("best"), theirs.get("best")) if b is not None]
    out.update(
        first_correct=_first_correct(mine, theirs, tries),
        attempts=max(mine.get("attempts", 0), theirs.get("attempts", 0), len(tries)),
        shown=bool(mine.get("shown") or theirs.get("shown")),
        solved=bool(mine.get("solved") or theirs.get("solved")),
        solved_unaided=bool(mine.get("solved_unaided") or theirs.get("solved_unaided")),
        best=min(bests) if bests else None)
    if "tries" in mine or "tries" in theirs:
        out["tries"] = tries[-MAX_TRIES:]
    if "hints" in mine or "hints" in theirs:
        out["hints"] = sorted(set(mine.get("hints", []) + theirs.get("hints", [])))[-MAX_TRIES:]
    return out


def _first_correct(mine: dict[str, Any], theirs: dict[str, Any], tries: list[dict[str, Any]]) -> bool | None:
    """The verdict on the earliest answer: from the attempts when both copies kept them, else the one known."""
    if mine.get("tries") and theirs.get("tries"):
        first = tries[0]
        return bool(first["correct"]) and not first.get("shown", False)
    return mine.get("first_correct") if mine.get("first_correct") is not None else theirs.get("first_correct")
