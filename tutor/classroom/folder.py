"""A class's folder under the user data folder: class.json (its name and tokens) and students/<slug>.json."""

from __future__ import annotations

import json
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from tutor.lessons.progress import ProgressStore, atomic_write, data_dir, load_progress
from tutor.scenario.safe import printable

CLASS_FILE = "class.json"
STUDENTS = "students"
MAX_NAME = 40
#: the characters a name may hold besides letters and digits (any script)
NAME_PUNCTUATION = " .-_'"


class ClassError(Exception):
    """A class or student name, or a class folder, that cannot be used: one line that says why."""


def slug(name: str, what: str = "student") -> str:
    """The file name a class or student name is kept under: lowercase letters and digits joined by '-';
    anything but a letter or digit followed by letters, digits and " .-_'" (up to 40 characters) is refused,
    never turned into a path."""
    shown = printable(repr(name)[:60], True)
    if not name or not name[0].isalnum() or len(name) > MAX_NAME or \
            any(not (c.isalnum() or c in NAME_PUNCTUATION) for c in name):
        raise ClassError(f"a {what} name is 1 to {MAX_NAME} letters, digits, spaces and .-_' starting with a "
                         f"letter or a digit, not {shown}")
    folded = unicodedata.normalize("NFKC", name).casefold()
    words = "".join(c if c.isalnum() else " " for c in folded).split()
    if not words:
        raise ClassError(f"a {what} name needs a letter or a digit, not {shown}")
    return "-".join(words)


@dataclass
class ClassFolder:
    """One class: its folder, its name, its students' progress files."""

    name: str
    path: Path

    @classmethod
    def of(cls, name: str, root: Path | None = None) -> "ClassFolder":
        """The class called `name` (its folder under the data folder's classes/, not created yet)."""
        return cls(name, (root or data_dir()) / "classes" / slug(name, "class"))

    # --- the class file ------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """class.json: the class's name and tokens ({} before the class was served or merged into)."""
        try:
            data = json.loads((self.path / CLASS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def ensure(self) -> dict[str, Any]:
        """Create the folder and class.json (with new tokens) if missing; the class's info."""
        info = self.info()
        if not (isinstance(info.get("student_token"), str) and isinstance(info.get("instructor_token"), str)):
            info = {"name": self.name, "student_token": secrets.token_urlsafe(12),
                    "instructor_token": secrets.token_urlsafe(12)}
            (self.path / STUDENTS).mkdir(parents=True, exist_ok=True)
            atomic_write(self.path / CLASS_FILE, json.dumps(info, indent=2) + "\n")
            os.chmod(self.path / CLASS_FILE, 0o600)  # the tokens are the class's keys
        (self.path / STUDENTS).mkdir(parents=True, exist_ok=True)
        return info

    # --- students ------------------------------------------------------------------------
    def student_file(self, student: str) -> Path:
        """The progress file of a student (the name checked and made a slug first)."""
        return self.path / STUDENTS / f"{slug(student)}.json"

    def store(self, student: str) -> ProgressStore:
        """A student's progress store in this class (locked, merged and atomic like anyone's)."""
        return ProgressStore.open_file(self.student_file(student), student, self.name)

    def students(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(file slug, data) of every readable student file, in name order; unreadable ones are skipped."""
        folder = self.path / STUDENTS
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.json")):
            data, _ = load_progress(path)
            if data is not None:
                yield path.stem, data
