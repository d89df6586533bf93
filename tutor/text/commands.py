"""The lesson commands of `tutor`: lessons, lesson N, quiz [N], progress --export, and checks."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tutor.lessons.catalog import Catalog, Item, load_catalog
from tutor.lessons.progress import ProgressStore

from .player import Player, console_reader, quiz

EXIT_OK, EXIT_BAD = 0, 2


def _open(folder: str | None) -> tuple[Catalog, ProgressStore]:
    """The lessons and the learner's progress; warnings about the progress file go to stderr."""
    catalog = load_catalog(folder)
    store = ProgressStore.open()
    _warn(store)
    return catalog, store


def _warn(store: ProgressStore) -> None:
    """Print the store's warnings once."""
    for line in store.warnings:
        print(f"warning: {line}", file=sys.stderr)
    store.warnings.clear()


def menu_table(catalog: Catalog, store: ProgressStore) -> Table:
    """The lessons in menu order with progress, scores, the next one, and any errors."""
    nxt = catalog.next_lesson(store.done())
    table = Table(title="Lessons", title_justify="left")
    for col in ("#", "lesson", "progress", "score", ""):
        table.add_column(col)
    for n, item in enumerate(catalog.items, start=1):
        table.add_row(str(n), _title(item), _progress(item, store), _score(item, store),
                      "← next" if nxt is item else "")
    return table


def _title(item: Item) -> Text:
    """The title, or the error that keeps the lesson from opening."""
    if item.lesson is None:
        return Text(f"{item.title}\n{item.error}", style="red")
    text = Text(item.title)
    for problem in item.problems:
        text.append(f"\n{problem}", style="red")
    return text


def _progress(item: Item, store: ProgressStore) -> str:
    """done / step k of n / not started."""
    status = store.status(item.id)
    if status == "done":
        return "done"
    if status == "started" and item.lesson is not None:
        record = store.lesson(item.id)
        return f"step {record['step'] + 1} of {len(item.lesson.steps)}"
    return ""


def _score(item: Item, store: ProgressStore) -> str:
    """right/questions, if any were met."""
    score = store.score(item.id) if store.status(item.id) != "new" else None
    return f"{score[0]}/{score[1]}" if score else ""


def lessons_command(folder: str | None = None) -> int:
    """`tutor lessons`: the menu."""
    catalog, store = _open(folder)
    console = Console()
    console.print(menu_table(catalog, store))
    nxt = catalog.next_lesson(store.done())
    if nxt is not None:
        console.print(f"Next: tutor lesson {catalog.number(nxt.id)}  ({nxt.title})")
    return EXIT_BAD if catalog.errors() and not catalog.lessons else EXIT_OK


def _find(catalog: Catalog, ref: str) -> Item | None:
    """The lesson a learner named, or None after saying why not."""
    try:
        item = catalog.find(ref)
    except KeyError:
        print(f"no lesson {ref!r}: give a number from `tutor lessons` or a lesson id", file=sys.stderr)
        return None
    if item.lesson is None:
        print(item.error, file=sys.stderr)
        return None
    return item


def lesson_command(ref: str, folder: str | None = None) -> int:
    """`tutor lesson N`: play one lesson in the terminal."""
    catalog, store = _open(folder)
    item = _find(catalog, ref)
    if item is None:
        return EXIT_BAD
    console = Console()
    missing = [p for p in item.lesson.prerequisites if p not in store.done()]
    if missing:
        console.print(Text(f"This lesson builds on {', '.join(missing)}; you may go ahead anyway.",
                           style="yellow"))
    Player(item, catalog, store, console, console_reader(console)).play()
    _warn(store)
    return EXIT_OK


def quiz_command(ref: str | None, folder: str | None = None) -> int:
    """`tutor quiz [N]`: only the questions, with a score at the end."""
    catalog, store = _open(folder)
    if ref is None:
        items = [i for i in catalog.items if i.lesson is not None]
    else:
        item = _find(catalog, ref)
        if item is None:
            return EXIT_BAD
        items = [item]
    console = Console()
    quiz(items, store, console, console_reader(console))
    _warn(store)
    return EXIT_OK


def progress_command(export: str | None, output: str | None, folder: str | None = None) -> int:
    """`tutor progress [--export csv|json] [--output FILE]`: the record, for an instructor."""
    catalog, store = _open(folder)
    if export is None:
        Console().print(menu_table(catalog, store))
        return EXIT_OK
    titles = {i.id: i.title for i in catalog.items}
    text = store.export_csv(titles) if export == "csv" else store.export_json(titles)
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as err:
        print(f"{output}: cannot write: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD
    print(f"wrote {output}", file=sys.stderr)
    return EXIT_OK


def dispatch(args) -> int:
    """Run a lesson command parsed by tutor.cli."""
    folder = args.lessons
    if args.command == "lessons":
        return lessons_command(folder)
    if args.command == "lesson":
        return lesson_command(args.ref, folder)
    if args.command == "quiz":
        return quiz_command(args.ref, folder)
    return progress_command(args.export, args.output, folder)
