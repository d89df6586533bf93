"""The layers' import rules (the import-linter contracts in pyproject.toml) hold for the whole package."""

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(capsys, monkeypatch):
    """Every contract is kept: sim alone, scenario on sim, lessons on both, ui and text apart, nothing on the CLI."""
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert status == 0, out
    assert "6 kept, 0 broken" in out


def test_a_broken_rule_is_caught(tmp_path, capsys, monkeypatch):
    """The check is not vacuous: a rule the code breaks (the app uses the lesson core) is reported broken."""
    config = tmp_path / "rules.toml"
    config.write_text('[tool.importlinter]\nroot_package = "tutor"\n\n[[tool.importlinter.contracts]]\n'
                      'name = "the app without the lesson core"\ntype = "forbidden"\n'
                      'source_modules = ["tutor.ui"]\nforbidden_modules = ["tutor.lessons"]\n')
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(config), no_cache=True, no_logo=True) != 0
    assert "BROKEN" in capsys.readouterr().out


def test_the_app_module_loads_without_the_engine():
    """The main menu comes up before the engine, the lesson runner and the graph library are loaded: importing
    the app (and the lessons' catalog it reads) imports none of them."""
    import os
    import subprocess
    import sys

    code = ("import sys, tutor.ui.app, tutor.lessons.catalog; "
            "print(sorted(m for m in ('tutor.sim.simulation', 'tutor.lessons.run', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.strip() == "[]"


def test_the_menu_does_not_wait_for_the_lessons():
    """`tutor`'s first steps (parsing its arguments, importing the app and its menus) load neither the lessons'
    parser nor the progress store, the scenario loader, the class folder or the lab catalog: the menu's first
    frame does not wait for them (its Lessons line reads the lessons just after that frame)."""
    import os
    import subprocess
    import sys

    later = ("tutor.lessons.catalog", "tutor.lessons.progress", "tutor.scenario", "tutor.classroom.folder",
             "tutor.lab.catalog")
    code = ("import sys, tutor.cli; tutor.cli.build_parser().parse_args([]); import tutor.ui.app; "
            f"print(sorted(m for m in {later!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
    assert out.strip() == "[]"
