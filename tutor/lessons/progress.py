"""Each learner's progress and scores, kept in the platform's data directory and written atomically."""

from __future__ import annotations

import csv
import getpass
import io
import json
import os
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

FORMAT = 1
FILE_NAME = "progress.json"
CSV_FIELDS = ("user", "lesson", "title", "status", "score", "questions", "question", "kind",
              "first_correct", "attempts", "shown", "solved", "best", "par", "updated")


def data_dir(env: Mapping[str, str] | None = None, platform: str | None = None,
             home: Path | None = None) -> Path:
    """Where tutor keeps a user's data: TUTOR_DATA_DIR, else the platform's convention."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    home = Path.home() if home is None else home
    if env.get("TUTOR_DATA_DIR"):
        return Path(env["TUTOR_DATA_DIR"])
    if platform.startswith("win"):
        return Path(env.get("APPDATA") or home / "AppData" / "Roaming") / "tutor"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "tutor"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "tutor"


def atomic_write(path: Path, text: str) -> None:
    """Write a file so that a crash leaves either the old or the new content: temp file, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows cannot open a directory)."""
    if os.name != "posix":
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _now() -> str:
    """The time, for the file (UTC, ISO 8601)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class ProgressStore:
    """The progress file of one user: lessons started and done, each question's answers and bests."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    writable: bool = True

    # --- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path | None = None) -> "ProgressStore":
        """Read the progress file; a corrupt or unreadable one is set aside with a warning."""
        store = cls((folder or data_dir()) / FILE_NAME)
        store.data = store._read()
        return store

    def _read(self) -> dict[str, Any]:
        """The file's data, or a fresh start (the old file renamed, never erased)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _empty()
        except (OSError, UnicodeDecodeError) as err:
            return self._set_aside(f"cannot be read ({_reason(err)})")
        try:
            data = json.loads(text)
        except ValueError:
            return self._set_aside("is not valid JSON")
        problem = _shape_problem(data)
        return self._set_aside(problem) if problem else data

    def _set_aside(self, why: str) -> dict[str, Any]:
        """Rename the bad file with a timestamp and start afresh; if even that fails, do not write."""
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        n = 1
        while aside.exists():
            n += 1
            aside = aside.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        try:
            os.replace(self.path, aside)
        except OSError as err:
            self.writable = False
            self.warnings.append(f"progress file {self.path} {why}, and could not be set aside "
                                 f"({_reason(err)}); progress will not be saved this time")
        else:
            self.warnings.append(f"progress file {self.path} {why}; it was set aside as {aside.name} "
                                 "and progress starts afresh")
        return _empty()

    # --- reading -------------------------------------------------------------------------
    def lesson(self, lesson_id: str) -> dict[str, Any]:
        """One lesson's record (created empty)."""
        return self.data["lessons"].setdefault(lesson_id, {"status": "started", "step": 0, "steps": 0,
                                                           "answers": {}, "updated": _now()})

    def status(self, lesson_id: str) -> str:
        """"done", "started" or "new"."""
        record = self.data["lessons"].get(lesson_id)
        return record["status"] if record else "new"

    def done(self) -> set[str]:
        """Ids of the lessons finished."""
        return {k for k, v in self.data["lessons"].items() if v.get("status") == "done"}

    def score(self, lesson_id: str) -> tuple[int, int] | None:
        """(scored, questions) of a lesson, or None before any question was met."""
        record = self.data["lessons"].get(lesson_id)
        if not record or "questions" not in record:
            return None
        return sum(_scored(a) for a in record["answers"].values()), record["questions"]

    # --- recording -----------------------------------------------------------------------
    def record_step(self, lesson_id: str, index: int, steps: int, questions: int) -> None:
        """The learner is at step `index` of `steps`."""
        record = self.lesson(lesson_id)
        record.update(step=index, steps=steps, questions=questions, updated=_now())

    def record_answer(self, lesson_id: str, question_id: str, kind: str, answer: Any,
                      par: float | None = None) -> None:
        """Merge a run's answer record (a run.Answer): the first answer ever counts; bests are kept."""
        record = self.lesson(lesson_id)
        old = record["answers"].get(question_id, {})
        best = [b for b in (old.get("best"), answer.best) if b is not None]
        record["answers"][question_id] = {
            "kind": kind,
            "first_correct": old.get("first_correct", answer.first_correct),
            "attempts": old.get("attempts", 0) + answer.attempts,
            "shown": bool(old.get("shown")) or answer.shown,
            "solved": bool(old.get("solved")) or answer.solved,
            "solved_unaided": bool(old.get("solved_unaided")) or (answer.solved and not answer.shown),
            "best": min(best) if best else None,
            "par": par,
        }
        if record["answers"][question_id]["first_correct"] is None:
            record["answers"][question_id]["first_correct"] = answer.first_correct
        record["updated"] = _now()

    def record_done(self, lesson_id: str) -> None:
        """The lesson was played to its end."""
        record = self.lesson(lesson_id)
        record["status"] = "done"
        record["updated"] = _now()

    def save(self) -> None:
        """Write the file atomically; a failure is a warning, never a crash."""
        if not self.writable:
            return
        self.data["user"] = self.data.get("user") or _user()
        try:
            atomic_write(self.path, json.dumps(self.data, indent=2, sort_keys=True) + "\n")
        except OSError as err:
            self.warnings.append(f"could not save progress to {self.path}: {_reason(err)}")

    # --- exporting -----------------------------------------------------------------------
    def rows(self, titles: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        """One row per question answered (one per lesson with none yet), for an instructor."""
        titles = titles or {}
        user = self.data.get("user") or _user()
        out = []
        for lesson_id, record in sorted(self.data["lessons"].items()):
            score = self.score(lesson_id)
            base = {"user": user, "lesson": lesson_id, "title": titles.get(lesson_id, ""),
                    "status": record["status"], "score": score[0] if score else "",
                    "questions": score[1] if score else "", "updated": record.get("updated", "")}
            answers = record["answers"] or {"": {}}
            for qid, a in answers.items():
                out.append({**base, "question": qid, **{k: _cell(a.get(k)) for k in
                                                        ("kind", "first_correct", "attempts", "shown",
                                                         "solved", "best", "par")}})
        return out

    def export_csv(self, titles: Mapping[str, str] | None = None) -> str:
        """The rows as CSV with a header."""
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows(titles))
        return buf.getvalue()

    def export_json(self, titles: Mapping[str, str] | None = None) -> str:
        """The whole record, with titles and scores, as JSON."""
        lessons = {}
        for lesson_id, record in sorted(self.data["lessons"].items()):
            score = self.score(lesson_id)
            lessons[lesson_id] = {**record, "title": (titles or {}).get(lesson_id, ""),
                                  "score": score[0] if score else None}
        return json.dumps({"format": FORMAT, "user": self.data.get("user") or _user(), "lessons": lessons},
                          indent=2, sort_keys=True) + "\n"


def _empty() -> dict[str, Any]:
    """A fresh progress record."""
    return {"format": FORMAT, "user": _user(), "lessons": {}}


def _user() -> str:
    """The login name, for an instructor's export."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return "unknown"


def _reason(err: Exception) -> str:
    """The OS's words for an error."""
    return err.strerror.lower() if isinstance(err, OSError) and err.strerror else str(err)


def _scored(answer: dict[str, Any]) -> bool:
    """Right the first time, or (a challenge) solved without show me."""
    return bool(answer.get("first_correct")) or bool(answer.get("solved_unaided"))


def _cell(value: Any) -> Any:
    """A CSV cell: empty for None, lowercase booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return value


def _shape_problem(data: Any) -> str | None:
    """Why parsed JSON is not a progress file we wrote, or None."""
    if not isinstance(data, dict) or not isinstance(data.get("lessons"), dict):
        return "is not a progress file"
    if data.get("format") != FORMAT:
        return f"has format {data.get('format')!r}, not {FORMAT}"
    for lesson_id, record in data["lessons"].items():
        if not isinstance(record, dict) or not isinstance(record.get("answers"), dict) or \
                record.get("status") not in ("started", "done"):
            return f"has a damaged record for lesson {lesson_id!r}"
    return None
