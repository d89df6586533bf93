"""Each learner's progress and scores, kept in the platform's data directory and written atomically."""

from __future__ import annotations

import csv
import errno
import getpass
import io
import json
import math
import os
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from tutor.scenario.limits import read_text
from tutor.scenario.safe import printable, printable_data

try:  # POSIX: sessions take turns on the file; elsewhere each write is still atomic
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

FORMAT = 1
FILE_NAME = "progress.json"
LOCK_SUFFIX = ".lock"
#: the most attempts kept per question (the oldest are dropped first)
MAX_TRIES = 100
CSV_FIELDS = ("user", "lesson", "title", "status", "score", "questions", "question", "kind",
              "first_correct", "attempts", "shown", "solved", "best", "par", "updated")


def data_dir(env: Mapping[str, str] | None = None, platform: str | None = None,
             home: Path | None = None) -> Path:
    """Where tutor keeps a user's data: TUTOR_DATA_DIR, else the platform's user data folder (platformdirs);
    with a platform or home given, the convention tutor used before (see legacy_data_dir)."""
    env = os.environ if env is None else env
    if env.get("TUTOR_DATA_DIR"):
        return Path(env["TUTOR_DATA_DIR"])
    if platform is None and home is None:
        import platformdirs

        return Path(platformdirs.user_data_dir("tutor", appauthor=False, roaming=True))
    return legacy_data_dir(env, platform, home)


def legacy_data_dir(env: Mapping[str, str] | None = None, platform: str | None = None,
                    home: Path | None = None) -> Path:
    """The folder tutor kept progress in before it asked platformdirs (read once, to carry progress over)."""
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
    """Write a file so that a crash leaves either the old or the new content: temp file, fsync, rename.

    A symlink is written through (its target is replaced, the link stays)."""
    path = Path(os.path.realpath(path)) if path.is_symlink() else path
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


def migrate_legacy(folder: Path) -> None:
    """Copy a progress file from the folder used before platformdirs into `folder`, once, if it has none;
    the old file stays where it was."""
    old = legacy_data_dir() / FILE_NAME
    new = folder / FILE_NAME
    if os.environ.get("TUTOR_DATA_DIR") or new.exists() or old == new or not old.is_file():
        return
    with suppress(OSError, UnicodeDecodeError):
        atomic_write(new, read_text(old))


#: whose progress `ProgressStore.open()` opens: a class's student (see use_identity), else the user's own
_IDENTITY: dict[str, Any] = {}


def use_identity(path: Path | None, user: str | None = None, class_name: str | None = None) -> None:
    """From now on, ProgressStore.open() without a folder opens this file for this student of this class
    (None: the user's own progress again)."""
    _IDENTITY.clear()
    if path is not None:
        _IDENTITY.update(path=Path(path), user=user, class_name=class_name)


def load_progress(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """A progress file read and checked without touching it: (data, None), or (None, why not in words)."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as err:
        return None, f"cannot be read ({_reason(err)})"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, "is not valid JSON"
    problem = _shape_problem(data)
    return (None, problem) if problem else (printable_data(data), None)


@dataclass
class ProgressStore:
    """The progress file of one user: lessons started and done, each question's answers and bests."""

    path: Path
    data: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    writable: bool = True
    #: a class's student: their name and their class, written into the file at each save
    user: str | None = None
    class_name: str | None = None
    _pending: list[Callable[[dict[str, Any]], None]] = field(default_factory=list, repr=False)

    # --- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: Path | None = None) -> "ProgressStore":
        """Read the progress file (a class's student's, after use_identity); a corrupt or unreadable one is
        set aside with a warning."""
        if folder is None and _IDENTITY:
            return cls.open_file(_IDENTITY["path"], _IDENTITY["user"], _IDENTITY["class_name"])
        if folder is None:
            folder = data_dir()
            migrate_legacy(folder)
        return cls.open_file(folder / FILE_NAME)

    @classmethod
    def open_file(cls, path: Path, user: str | None = None, class_name: str | None = None) -> "ProgressStore":
        """Read one progress file, for `user` of class `class_name` when given."""
        store = cls(Path(path), user=user, class_name=class_name)
        try:
            with store._locked():
                store._clean_temporary_files()
                store.data = store._read()
        except OSError as err:  # the folder cannot be created or locked: read, but never write
            store.writable = False
            store.data = store._read()
            store.warnings.append(f"progress cannot be saved in {store.path.parent}: {_reason(err)}")
        return store

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the progress lock (a lock file beside the progress file) while reading and writing it."""
        if fcntl is None:
            yield
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _clean_temporary_files(self) -> None:
        """Remove temporary files a killed save left (no save is under way: we hold the lock)."""
        for tmp in self.path.parent.glob(f"{self.path.name}.*.tmp"):
            with suppress(OSError):
                tmp.unlink()

    def _read(self) -> dict[str, Any]:
        """The file's data, or a fresh start (the old file renamed, never erased)."""
        try:
            text = read_text(self.path)
        except FileNotFoundError:
            return _empty()
        except (OSError, UnicodeDecodeError) as err:
            if self.path.exists() and not (self.path.is_file() or self.path.is_dir()):  # a FIFO, a device: leave it
                self.writable = False
                self.warnings.append(f"progress file {printable(str(self.path), True)} is not a regular file; "
                                     "progress will not be saved this time")
                return _empty()
            return self._set_aside(f"cannot be read ({_reason(err)})")
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return self._set_aside("is not valid JSON")
        problem = _shape_problem(data)
        if problem:
            return self._set_aside(problem)
        data = printable_data(data)  # an id or a user name with an escape sequence is shown as text
        if not os.stat(self.path).st_mode & 0o222:  # no write bit (root could write it anyway)
            self.writable = False
            self.warnings.append(f"progress file {printable(str(self.path), True)} is read-only; "
                                 "progress will not be saved this time")
        return data

    def _set_aside(self, why: str) -> dict[str, Any]:
        """Rename the bad file with a timestamp and start afresh; if even that fails, do not write."""
        aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        n = 1
        while aside.exists():
            n += 1
            aside = aside.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
        shown = printable(str(self.path), one_line=True)
        try:
            os.replace(self.path, aside)
        except OSError as err:
            self.writable = False
            self.warnings.append(f"progress file {shown} {why}, and could not be set aside "
                                 f"({_reason(err)}); progress will not be saved this time")
        else:
            self.warnings.append(f"progress file {shown} {why}; it was set aside as "
                                 f"{printable(aside.name, True)} and progress starts afresh")
        return _empty()

    # --- reading -------------------------------------------------------------------------
    def lesson(self, lesson_id: str) -> dict[str, Any]:
        """One lesson's record (created empty)."""
        return _record(self.data, lesson_id)

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
    # Each change is a function of the data: it is made in memory at once and made again, at save,
    # on what is then on disk, so that two sessions saving in turn never lose each other's answers.
    def _change(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Make a change now and remember it for the next save."""
        change(self.data)
        self._pending.append(change)

    def change(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Any change of the data (a merge of another copy of this progress), made again on the disk's at save."""
        self._change(change)

    def record_step(self, lesson_id: str, index: int, steps: int, questions: int) -> None:
        """The learner is at step `index` of `steps`."""
        def change(data: dict[str, Any]) -> None:
            """Set the step."""
            _record(data, lesson_id).update(step=index, steps=steps, questions=questions, updated=_now())
        self._change(change)

    def record_answer(self, lesson_id: str, question_id: str, kind: str, answer: Any,
                      par: float | None = None) -> None:
        """Merge a run's answer record (a run.Answer): the first answer ever counts; bests and every try kept."""
        def change(data: dict[str, Any]) -> None:
            """Merge the answer."""
            record = _record(data, lesson_id)
            old = record["answers"].get(question_id, {})
            record["answers"][question_id] = _merged_answer(old, kind, answer, par)
            record["updated"] = _now()
        self._change(change)

    def record_hint(self, lesson_id: str, question_id: str) -> None:
        """The learner asked for a hint on this question now (an instructor sees who changed their mind after one)."""
        at = _now()

        def change(data: dict[str, Any]) -> None:
            """Add the hint's time."""
            answer = _record(data, lesson_id)["answers"].setdefault(question_id, {})
            answer["hints"] = (answer.get("hints", []) + [at])[-MAX_TRIES:]
        self._change(change)

    def record_done(self, lesson_id: str) -> None:
        """The lesson was played to its end."""
        def change(data: dict[str, Any]) -> None:
            """Mark it done."""
            record = _record(data, lesson_id)
            record["status"] = "done"
            record["updated"] = _now()
        self._change(change)

    def save(self) -> None:
        """Merge this session's changes into the file on disk and write it atomically, under the lock;
        a failure is a warning, never a crash."""
        if not self.writable:
            return
        try:
            with self._locked():
                data = self._merged_with_disk()
                data["user"] = self.user or data.get("user") or _user()
                if self.class_name:
                    data["class"] = self.class_name
                atomic_write(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
        except OSError as err:
            self.warnings.append(f"could not save progress to {printable(str(self.path), True)}: {_reason(err)}")
            return
        self.data, self._pending = data, []

    def _merged_with_disk(self) -> dict[str, Any]:
        """What is on disk now, with this session's changes made on it (or, with none, its lessons)."""
        disk = self._read() if self.path.exists() else _empty()
        if not self.writable:
            raise OSError(errno.EACCES, "the file on disk changed into one that cannot be written")
        if self._pending:
            for change in self._pending:
                change(disk)
        else:
            disk["lessons"] = {**disk["lessons"], **self.data["lessons"]}
        return disk

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
        head = {"format": FORMAT, "user": self.user or self.data.get("user") or _user()}
        if self.class_name or self.data.get("class"):
            head["class"] = self.class_name or self.data["class"]
        return json.dumps({**head, "lessons": lessons}, indent=2, sort_keys=True) + "\n"


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


def _record(data: dict[str, Any], lesson_id: str) -> dict[str, Any]:
    """One lesson's record in `data` (created empty)."""
    return data["lessons"].setdefault(lesson_id, {"status": "started", "step": 0, "steps": 0,
                                                  "answers": {}, "updated": _now()})


def _merged_answer(old: dict[str, Any], kind: str, answer: Any, par: float | None) -> dict[str, Any]:
    """A question's saved record merged with a run's answer: the first answer ever counts, bests are kept,
    and each attempt's answer and time join the history."""
    best = [b for b in (old.get("best"), answer.best) if b is not None]
    first = old.get("first_correct")
    tries = old.get("tries", []) + [_try(t) for t in getattr(answer, "tries", ())]
    return {
        "kind": kind,
        "first_correct": answer.first_correct if first is None else first,
        "attempts": old.get("attempts", 0) + answer.attempts,
        "shown": bool(old.get("shown")) or answer.shown,
        "solved": bool(old.get("solved")) or answer.solved,
        "solved_unaided": bool(old.get("solved_unaided")) or (answer.solved and not answer.shown),
        "best": min(best) if best else None,
        "par": par,
        "tries": tries[-MAX_TRIES:],
        "hints": old.get("hints", []),
    }


def _try(attempt: tuple[Any, bool, bool, float]) -> dict[str, Any]:
    """One attempt as saved: the answer as the learner gave it, right or not, shown or not, and when."""
    given, right, shown, at = attempt
    return {"answer": _answer_json(given), "correct": bool(right), "shown": bool(shown),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))}


def _answer_json(given: Any) -> Any:
    """An answer in JSON: a choice's index, a number, record ids as "11-29, 40", settings as a table."""
    if isinstance(given, (set, frozenset)):
        from .ids import show_ids

        return show_ids(given)
    if isinstance(given, dict):
        return {str(k): v if v is None or isinstance(v, (bool, int, float, str)) else str(v)
                for k, v in given.items()}
    if given is None or isinstance(given, (bool, int, float, str)):
        return given
    return str(given)


# --- checking a file we read ----------------------------------------------------------------
ANSWER_TYPES: dict[str, tuple[type, ...]] = {
    "kind": (str,), "first_correct": (bool, type(None)), "attempts": (int,), "shown": (bool,),
    "solved": (bool,), "solved_unaided": (bool,), "best": (int, float, type(None)),
    "par": (int, float, type(None)), "tries": (list,), "hints": (list,)}
RECORD_TYPES: dict[str, tuple[type, ...]] = {
    "status": (str,), "step": (int,), "steps": (int,), "questions": (int,), "answers": (dict,),
    "updated": (str,)}


def _shape_problem(data: Any) -> str | None:
    """Why parsed JSON is not a progress file we wrote, or None: every part of it is checked here,
    so that no command meets a value of the wrong type later."""
    if not isinstance(data, dict) or not isinstance(data.get("lessons"), dict):
        return "is not a progress file"
    if data.get("format") != FORMAT:
        return f"has format {printable(repr(data.get('format'))[:40], True)}, not {FORMAT}"
    if not isinstance(data.get("user", ""), str) or not isinstance(data.get("class", ""), str):
        return "has a user or a class that is not a name"
    for lesson_id, record in data["lessons"].items():
        if _record_problem(record):
            return f"has a damaged record for lesson {printable(repr(lesson_id)[:60], True)}"
    return None


def _record_problem(record: Any) -> bool:
    """Is one lesson's record damaged?"""
    if not isinstance(record, dict) or record.get("status") not in ("started", "done"):
        return True
    if not _typed(record, RECORD_TYPES) or not isinstance(record.get("answers"), dict):
        return True
    if any(record.get(k, 0) < 0 for k in ("step", "steps", "questions")):
        return True
    return any(not isinstance(a, dict) or not _typed(a, ANSWER_TYPES) or a.get("attempts", 0) < 0 or
               not all(_try_ok(t) for t in a.get("tries", [])) or
               not all(isinstance(h, str) for h in a.get("hints", [])) for a in record["answers"].values())


def _typed(table: dict[str, Any], types: dict[str, tuple[type, ...]]) -> bool:
    """Does every known key hold a value of its type (a boolean is not a number here)?"""
    for key, allowed in types.items():
        if key not in table:
            continue
        value = table[key]
        if isinstance(value, bool) and bool not in allowed:
            return False
        if not isinstance(value, allowed):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
    return True


def _try_ok(attempt: Any) -> bool:
    """Is one saved attempt a table with the keys we write?"""
    return isinstance(attempt, dict) and isinstance(attempt.get("correct"), bool) and \
        isinstance(attempt.get("at"), str)
