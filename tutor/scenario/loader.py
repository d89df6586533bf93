"""Read a scenario TOML file, check every part of it, and build a Scenario."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Callable

from tutor.sim.config import SECTIONS, SETTINGS, build_config, check_config
from tutor.sim.spec import Scenario

from .errors import ScenarioError, show, suggest
from .events import Nodes, check_events, joined_members
from .expect import check_expect
from .flatten import DuplicateKey, flatten
from .limits import MAX_DEPTH, MAX_WORKLOAD_MS, depth, read_text
from .safe import printable_data
from .sections import check_section
from .topics import check_name, check_topics
from .values import is_int

TOP_KEYS = ("title", "seed", "description")
TABLES = SECTIONS + ("topics", "events", "expect")


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file; ScenarioError names the file and the bad key."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(str(path), None, f"cannot read: {_reason(err)}") from None
    return parse_scenario(text, source=str(path), default_title=Path(path).stem)


def _reason(err: Exception) -> str:
    """The OS's words for why a file could not be read."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    return str(err)


def parse_scenario(text: str, source: str = "<string>", default_title: str = "untitled") -> Scenario:
    """Parse and check scenario TOML text; `source` names it in error messages."""
    return validate(parse_toml(text, source, ScenarioError), source, default_title)


def parse_toml(text: str, source: str, error: Callable[[str, str | None, str], Exception]) -> dict[str, Any]:
    """TOML text as data with printable strings, or `error(source, where, message)` (one line) if it is not
    TOML or nests deeper than MAX_DEPTH; a leading byte-order mark is dropped."""
    text = text[1:] if text.startswith("\ufeff") else text
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        found = _syntax_error(source, str(err))
        raise error(source, found.key, found.message) from None
    except RecursionError:
        data = None
    if data is None or depth(data) > MAX_DEPTH:
        raise error(source, None, f"tables, arrays or dotted keys nest deeper than {MAX_DEPTH} levels")
    return printable_data(data)


def _syntax_error(source: str, message: str) -> ScenarioError:
    """tomllib's "Expected ... (at line 3, column 8)" as `file: line 3: TOML syntax error: ...`."""
    found = re.match(r"(.*) \(at line (\d+), column (\d+)\)$", message)
    if not found:
        return ScenarioError(source, None, f"TOML syntax error: {message}")
    what, line, column = found.groups()
    return ScenarioError(source, f"line {line}", f"TOML syntax error at column {column}: {what}")


def validate(data: dict[str, Any], source: str = "<memory>", default_title: str = "untitled") -> Scenario:
    """Check parsed TOML data (a dict of tables) and build the Scenario it describes."""
    _check_top_keys(source, data)
    given = {s: check_section(source, s, data[s]) for s in SECTIONS if s in data}
    _check_cross_keys(source, given)
    config = build_config(given)
    check_name(source, "[topic] name", config.topic["name"])
    topics = check_topics(source, data["topics"], config) if "topics" in data else []
    instances = config.consumer["instances"] if config.consumer is not None else 1
    nodes = Nodes(config.cluster["brokers"], "consumer" in given, config.topic["partitions"], instances,
                  max(instances, joined_members(data.get("events", []))),
                  {config.topic["name"]: config.topic["partitions"]} | {t["name"]: t["partitions"] for t in topics})
    return Scenario(
        title=_text(source, data, "title", default_title),
        seed=_seed(source, data.get("seed", 0)),
        given=given,
        events=check_events(source, data.get("events", []), nodes),
        expect=check_expect(source, data.get("expect", {})),
        source=source,
        description=_text(source, data, "description", "").strip(),
        topics=topics,
    )


def _check_top_keys(source: str, data: dict[str, Any]) -> None:
    """Refuse unknown top-level keys and sections."""
    for key, value in data.items():
        if key in TOP_KEYS or key in TABLES:
            continue
        _refuse_stray_setting(source, key, value)
        if isinstance(value, (dict, list)):
            raise ScenarioError(source, f"[{key}]", "unknown section" + _section_hint(key))
        raise ScenarioError(source, key, "unknown key" + (suggest(key, TOP_KEYS + TABLES) or
                                                          f"; the top level takes {', '.join(TOP_KEYS)}"))


def _refuse_stray_setting(source: str, key: str, value: Any) -> None:
    """A setting written outside its section: say which section it belongs in."""
    try:
        names = [key] + [f"{key}.{n}" for n in flatten(value)] if isinstance(value, dict) else [key]
    except DuplicateKey:
        names = [key]
    for name in names:
        homes = [f"[{s}]" for (s, n) in SETTINGS if n == name]
        if homes:
            raise ScenarioError(source, name, f"not a top-level key; it belongs in {' or '.join(homes)}")


def _section_hint(key: str) -> str:
    """"; did you mean [producer]?", or the list of sections."""
    close = suggest(key, TABLES)
    if close:
        return close.replace("mean ", "mean [").replace("?", "]?")
    return "; sections are " + ", ".join(f"[{t}]" for t in SECTIONS) + ", [[topics]], [[events]], [expect]"


def _check_cross_keys(source: str, given: dict[str, dict[str, Any]]) -> None:
    """Settings each valid on its own but impossible together (tutor.sim.config.check_config)."""
    config = build_config(given)
    problems = check_config(config, given)
    if problems:
        section, key, message = problems[0]
        raise ScenarioError(source, f"[{section}] {key}", message)
    problem = settle_problem(config)
    if problem:
        raise ScenarioError(source, *problem)


def settle_problem(config: Any) -> tuple[str, str] | None:
    """(key, why) for settings with which a run cannot settle, or None."""
    broker, workload, consumer = config.broker, config.workload, config.consumer
    if broker["replica.fetch.wait.max.ms"] > broker["replica.lag.time.max.ms"]:  # KafkaConfig.validateValues
        return ("[broker] replica.lag.time.max.ms", f"must be at least replica.fetch.wait.max.ms "
                f"({broker['replica.fetch.wait.max.ms']}), as Kafka requires (a broker refuses to start)")
    if broker["broker.heartbeat.interval.ms"] >= broker["broker.session.timeout.ms"]:
        return ("[broker] broker.heartbeat.interval.ms", f"must be less than broker.session.timeout.ms "
                f"({broker['broker.session.timeout.ms']}; Kafka logs an error above half of it): every broker "
                "would be fenced between two heartbeats and the run would never settle")
    sending = workload["messages"] * workload["interval.ms"]
    if sending > MAX_WORKLOAD_MS:
        return ("[workload] interval.ms", f"messages x interval.ms is {sending:g} ms of sending; a run may "
                f"last at most {MAX_WORKLOAD_MS} ms (one day of simulated time)")
    processing = workload["messages"] * (consumer["processing.ms"] if consumer else 0)
    if processing > MAX_WORKLOAD_MS:
        return ("[consumer] processing.ms", f"messages x processing.ms is {processing:g} ms of processing; a run "
                f"may last at most {MAX_WORKLOAD_MS} ms (one day of simulated time)")
    return None


def _text(source: str, data: dict[str, Any], key: str, default: str) -> str:
    """A top-level string such as title or description."""
    value = data.get(key, default)
    if not isinstance(value, str):
        raise ScenarioError(source, key, f"takes a string, not {show(value)}")
    return value


def _seed(source: str, value: Any) -> int:
    """The random seed: an integer >= 0."""
    if not is_int(value) or value < 0:
        raise ScenarioError(source, "seed", f"takes an integer >= 0, not {show(value)}")
    return value
