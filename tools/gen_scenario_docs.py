"""Regenerate the settings tables in docs/scenarios.md from tutor.sim.config.SETTINGS.

    python tools/gen_scenario_docs.py          # rewrite the generated block in place
    python tools/gen_scenario_docs.py --check  # exit 1 if the block is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tutor.scenario.limits import load_maximum
from tutor.sim.config import CLIENTS, SECTIONS, SETTINGS, VERSIONS, Setting

DOC = Path(__file__).resolve().parent.parent / "docs" / "scenarios.md"
BEGIN = "<!-- BEGIN GENERATED: settings (tools/gen_scenario_docs.py) -->"
END = "<!-- END GENERATED: settings -->"
CLIENT_LABEL = {"java": "Java", "librdkafka": "librdkafka"}


def value_text(value: Any) -> str:
    """A default as it would be written in TOML, in backticks; None is "unset (never)"."""
    if value is None:
        return "unset (never)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value}`"


def segments(setting: Setting, client: str) -> list[tuple[str, str, Any]]:
    """(first version, last version, default) for each run of versions sharing one default."""
    out: list[tuple[str, str, Any]] = []
    for version in VERSIONS:
        value = setting.default_for(client, version)
        if out and out[-1][2] == value:
            out[-1] = (out[-1][0], version, value)
        else:
            out.append((version, version, value))
    return out


def segments_text(runs: list[tuple[str, str, Any]]) -> str:
    """"`1` before 3.0, `all` from 3.0" (or just the value when it never changed)."""
    if len(runs) == 1:
        return value_text(runs[0][2])
    parts = []
    for i, (first, last, value) in enumerate(runs):
        if i == 0:
            parts.append(f"{value_text(value)} before {runs[1][0]}")
        elif i == len(runs) - 1:
            parts.append(f"{value_text(value)} from {first}")
        else:
            parts.append(f"{value_text(value)} from {first} to {last}")
    return ", ".join(parts)


def default_text(setting: Setting) -> str:
    """The default, split by client and Kafka version where it differs."""
    texts = {c: segments_text(segments(setting, c)) for c in setting.clients}
    if len(set(texts.values())) == 1:
        return next(iter(texts.values()))
    return "; ".join(f"{CLIENT_LABEL[c]}: {t}" for c, t in texts.items())


def allowed_text(setting: Setting) -> str:
    """What values the key takes."""
    kind = setting.kind
    if kind in ("int", "float"):
        return _range_text("integer" if kind == "int" else "number", setting)
    if kind == "flush":
        return "integer ≥ 1; leave out for never"
    if kind == "acks":
        return '`"all"` (= `"-1"`), `"1"`, `"0"`; or the integers `-1`, `1`, `0`'
    if kind == "bool":
        return "`true`, `false`"
    if kind == "choice":
        return _choices_text(setting)
    return "string"


def _range_text(word: str, setting: Setting) -> str:
    """"integer ≥ 1", "number ≥ 0", "integer 1 to 9"."""
    lo, hi = setting.minimum, load_maximum(setting.section, setting.name, setting.maximum)
    def plain(x: float) -> str:
        """A bound without a trailing .0."""
        return str(int(x)) if float(x).is_integer() else str(x)
    if lo is not None and hi is not None:
        return f"{word} {plain(lo)} to {plain(hi)}"
    return f"{word} ≥ {plain(lo)}" if lo is not None else word


def _choices_text(setting: Setting) -> str:
    """The choices (a long list shortened to its ends) and any aliases."""
    choices = setting.choices
    if len(choices) > 6:
        text = f'`"{choices[0]}"` … `"{choices[-1]}"` (any of {", ".join(choices)})'
    else:
        text = ", ".join(f'`"{c}"`' for c in choices)
    if setting.aliases:
        text += "; also " + ", ".join(f'`"{a}"` = `"{c}"`' for a, c in setting.aliases.items())
    return text


def kind_text(setting: Setting) -> str:
    """Kafka property or model parameter, which client it belongs to, and whether it is start-only."""
    what = "Kafka" if setting.kafka else "model"
    if tuple(setting.clients) != CLIENTS:
        what += ", " + " and ".join(CLIENT_LABEL[c] for c in setting.clients) + " only"
    if not setting.live:
        what += "; at start only"
    return what


def meaning_text(setting: Setting) -> str:
    """What the key does, and what the client derives for it when it is left out."""
    if setting.implied is None:
        return setting.doc
    rule = (setting.implied.__doc__ or "").strip().rstrip(".")
    return f"{setting.doc}. If not set: {rule}"


def section_table(section: str) -> str:
    """One Markdown table: every key of a section."""
    rows = ["| key | default | allowed values | kind | meaning |", "|---|---|---|---|---|"]
    for (sec, name), s in SETTINGS.items():
        if sec == section:
            cells = [f"`{name}`", default_text(s), allowed_text(s), kind_text(s), meaning_text(s)]
            rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows)


def settings_markdown() -> str:
    """Every section's table under its own heading."""
    blocks = [f"### [{section}]\n\n{section_table(section)}" for section in SECTIONS]
    return "\n\n".join(blocks)


def render(doc: str) -> str:
    """The document with its generated block replaced by fresh tables."""
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{settings_markdown()}\n\n{END}{tail}"


def main(argv: list[str]) -> int:
    """Rewrite docs/scenarios.md, or with --check report whether it is stale."""
    doc = DOC.read_text(encoding="utf-8")
    fresh = render(doc)
    if "--check" in argv:
        if fresh != doc:
            print(f"{DOC} is out of date: run python tools/gen_scenario_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
