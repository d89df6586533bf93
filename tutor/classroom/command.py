"""`tutor class merge|report|watch` and the `--class NAME --student NAME` of the lesson commands.

`tutor`'s argument parser is built from here on every start, so the class folder loads only in the commands
that use it."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any, Iterator

EXIT_OK, EXIT_BAD = 0, 2


def add_class_parsers(commands: Any) -> None:
    """`tutor class merge NAME FILES...`, `tutor class report NAME`, `tutor class watch NAME`."""
    klass = commands.add_parser(
        "class", help="a class's progress: merge students' exports, report, watch live",
        description="An instructor's commands for a class: merge the progress files students hand in, "
                    "report the class's answers and misconceptions, or watch its predictions live.")
    sub = klass.add_subparsers(dest="class_command", metavar="merge|report|watch", required=True,
                               help="what to do with the class")
    merge = sub.add_parser("merge", help="add students' `tutor progress --export json` files to a class")
    merge.add_argument("name", metavar="NAME", help="the class")
    merge.add_argument("files", nargs="+", metavar="FILE", help="progress files exported by students")
    report = sub.add_parser("report", help="per question the class's first answers and misconceptions; per "
                            "student progress and score")
    report.add_argument("name", metavar="NAME", help="the class")
    out = report.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="one JSON object")
    out.add_argument("--csv", action="store_true", help="CSV: a row per question and answer, then per student")
    report.add_argument("--score", choices=("first", "best", "last"), default="first",
                        help="which attempt counts for the score (default: first)")
    watch = sub.add_parser("watch", help="the instructor's live view: the class's predictions as they come")
    watch.add_argument("name", metavar="NAME", help="the class")
    for p in (report, watch):
        p.add_argument("--lessons", metavar="DIR", help="a folder of lesson files (default: the shipped ones)")


def add_identity_options(parser: Any) -> None:
    """`--class NAME --student NAME` on a lesson command: keep this student's progress in that class."""
    parser.add_argument("--class", dest="class_name", metavar="NAME",
                        help="keep the progress in this class's folder (with --student)")
    parser.add_argument("--student", metavar="NAME", help="whose progress it is, in the class")


@contextmanager
def class_identity(args: Any) -> Iterator[int | None]:
    """While the lesson command runs, its progress is the student's file in the class (given --class and
    --student); yields None, or the exit status after a one-line refusal of bad names."""
    from tutor.lessons.progress import use_identity

    from .folder import ClassError, ClassFolder

    class_name, student = getattr(args, "class_name", None), getattr(args, "student", None)
    if class_name is None and student is None:
        yield None
        return
    if not (class_name and student):
        print(f"tutor {args.command}: --class and --student go together", file=sys.stderr)
        yield EXIT_BAD
        return
    try:
        folder = ClassFolder.of(class_name)
        path = folder.student_file(student)
    except ClassError as err:
        print(f"tutor {args.command}: {err}", file=sys.stderr)
        yield EXIT_BAD
        return
    use_identity(path, student, folder.name)
    try:
        yield None
    finally:
        use_identity(None)


def class_command(args: Any) -> int:
    """Run `tutor class ...`."""
    from tutor.scenario.safe import printable

    from .folder import ClassError, ClassFolder

    try:
        folder = ClassFolder.of(args.name)
    except ClassError as err:
        print(f"tutor class: {err}", file=sys.stderr)
        return EXIT_BAD
    if args.class_command == "merge":
        from .merge import merge_files

        results = merge_files(folder, args.files)
        for line, ok in results:
            print(line, file=sys.stdout if ok else sys.stderr)
        return EXIT_OK if all(ok for _, ok in results) else EXIT_BAD
    if not (folder.path / "students").is_dir():
        print(f"tutor class: no class {printable(args.name, True)} here (serve it or merge into it first: "
              f"{folder.path})", file=sys.stderr)
        return EXIT_BAD
    from tutor.lessons import load_catalog

    catalog = load_catalog(args.lessons)
    if args.class_command == "report":
        from .report import class_report, report_csv, report_json, report_text

        report = class_report(folder, catalog, args.score)
        sys.stdout.write(report_json(report) if args.json else report_csv(report) if args.csv else report_text(report))
        return EXIT_OK
    from tutor.ui.classtab import WatchApp

    WatchApp(folder, catalog).run()
    return EXIT_OK
