"""Lessons: lesson files, the LessonRun state machine, the prerequisite graph, progress and checks."""

from .catalog import Catalog, Item, builtin_dir, load_catalog
from .errors import LessonError
from .judge import Verdict
from .latency import Latency, latency
from .model import Lesson, Question, Step, Wait
from .parse import load_lesson, parse_lesson
from .progress import ProgressStore, data_dir
from .run import LessonRun, Result

__all__ = ["Catalog", "Item", "Latency", "Lesson", "LessonError", "LessonRun", "ProgressStore", "Question",
           "Result", "Step", "Verdict", "Wait", "builtin_dir", "data_dir", "latency", "load_catalog",
           "load_lesson", "parse_lesson"]
