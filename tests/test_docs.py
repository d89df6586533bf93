"""docs/scenarios.md and README.md stay true to the code."""

import importlib.util
import re
from pathlib import Path

from tutor.scenario import parse_scenario
from tutor.sim.config import SETTINGS
from tutor.sim.spec import ACTIONS, EXPECT_KEYS, ROLES

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_MD = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def toml_blocks(markdown: str) -> list[str]:
    """The ```toml code blocks of a Markdown text."""
    return re.findall(r"```toml\n(.*?)```", markdown, flags=re.S)


def test_every_setting_is_documented():
    """Each key of each section appears in the reference, in backticks."""
    missing = [f"[{s}] {k}" for s, k in SETTINGS if f"`{k}`" not in SCENARIOS_MD]
    assert not missing


def test_every_action_role_and_expect_key_is_documented():
    """Actions, roles and expect keys all appear in the reference."""
    words = list(ACTIONS) + list(ROLES) + list(EXPECT_KEYS)
    assert [w for w in words if f"`{w}`" not in SCENARIOS_MD] == []


def test_generated_tables_are_fresh():
    """The settings tables match tools/gen_scenario_docs.py's output (run it after changing config.py)."""
    spec = importlib.util.spec_from_file_location("gen_scenario_docs", ROOT / "tools" / "gen_scenario_docs.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.render(SCENARIOS_MD) == SCENARIOS_MD


def test_complete_example_is_valid():
    """The annotated full example at the end of the reference loads."""
    example = parse_scenario(toml_blocks(SCENARIOS_MD)[-1], "example")
    assert example.config.producer["acks"] == "all" and len(example.events) == 3 and example.config.consumer is None


def test_expect_example_is_valid():
    """The [expect] snippet parses as written."""
    snippet = next(b for b in toml_blocks(SCENARIOS_MD) if b.startswith("[expect]"))
    assert parse_scenario(snippet).expect["lost_at.broker"] == 3


def test_readme_example_is_valid():
    """The README's scenario loads."""
    [block] = toml_blocks(README)
    assert parse_scenario(block).expect == {"lost_acked": {"min": 1}}


def test_readme_quick_start_is_two_commands():
    """The quick start is exactly the install-and-run and install-and-test commands."""
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, flags=re.S)
    assert commands == ["pip install . && tutor", "pip install '.[test]' && pytest"]


def test_documented_examples_hold_their_expectations(tmp_path, capsys):
    """The full example and the README's scenario run and meet their own [expect]."""
    from tutor import cli

    for name, text in [("docs.toml", toml_blocks(SCENARIOS_MD)[-1]), ("readme.toml", toml_blocks(README)[0])]:
        path = tmp_path / name
        path.write_text(text)
        assert cli.main(["run", str(path), "--json"]) == 0, capsys.readouterr().err
