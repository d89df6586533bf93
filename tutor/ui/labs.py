"""The labs in the app: which lessons lead to which lab, and whether the real Kafka client is installed."""

from __future__ import annotations

from functools import lru_cache

INSTALL = "pip install 'kafka-tutor[lab]'  (in a checkout: pip install '.[lab]')"


@lru_cache(maxsize=1)
def lesson_labs() -> dict[str, tuple[str, ...]]:
    """lesson id -> the labs that reproduce its losses with the real client (each lesson's `labs` key)."""
    from tutor.lessons import load_catalog

    return {item.lesson.id: item.lesson.labs for item in load_catalog().items
            if item.lesson is not None and item.lesson.labs}


def __getattr__(name: str):
    """LESSON_LABS: the shipped lessons' `labs`, read when first asked for."""
    if name == "LESSON_LABS":
        return lesson_labs()
    raise AttributeError(name)


def available_labs() -> list[tuple[str, str, str]]:
    """(name, title, description) of every lab (the lab catalog loads when first asked for, not with the menu)."""
    from tutor.lab import available_labs as every_lab

    return every_lab()


def command(name: str) -> str:
    """The command that runs a lab in a terminal."""
    return f"tutor lab {name}"


def client() -> str | None:
    """"confluent-kafka 2.16.1 (librdkafka 2.16.0)", or None when it is not installed."""
    from tutor.lab.client import client_version

    return client_version()


def client_line() -> str:
    """Whether the lab can run here, in one line."""
    found = client()
    return f"installed: {found}" if found else f"confluent-kafka is not installed: {INSTALL}"


def labs_for(lesson_id: str) -> list[tuple[str, str, str]]:
    """(name, title, description) of the labs that go with a lesson."""
    wanted = lesson_labs().get(lesson_id, ())
    return [lab for lab in available_labs() if lab[0] in wanted]


def lab_lines(lesson_id: str) -> list[str]:
    """The end card's note: each lab's command, and whether the real client is installed."""
    labs = labs_for(lesson_id)
    if not labs:
        return []
    lines = ["See it happen with the real Kafka client (run in a terminal):"]
    lines += [f"  {command(name)}   {title}" for name, title, _ in labs]
    return lines + [f"  {client_line()}"]
