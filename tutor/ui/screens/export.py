"""The sandbox's export: the current settings as real Kafka configuration, written to a file and shown."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.explore.chart import write_atomic
from tutor.export import export_notes, export_text
from tutor.sim.spec import Scenario

EXPORT_FILE = "tutor-export.txt"
TITLES = {"java": "Java client properties", "librdkafka": "confluent-kafka / librdkafka (JSON)",
          "broker": "server.properties", "topic": "the topic"}


def export_all(scenario: Scenario) -> str:
    """Every format, one after the other, each under a title line."""
    parts = []
    for fmt, title in TITLES.items():
        notes = "".join(f"# note: {n}\n" for n in export_notes(scenario, fmt))
        parts.append(f"### {title}\n{export_text(scenario, fmt)}{notes}")
    return "\n".join(parts)


def current_scenario(driver) -> Scenario:
    """The sandbox's scenario with the settings as they are now (live changes included)."""
    return dataclasses.replace(driver.scenario, given=driver.given())


class ExportScreen(ModalScreen[None]):
    """Writes the export to a file in the current folder and shows it; esc closes."""

    BINDINGS = [Binding("escape,q,w", "close", "close")]

    def __init__(self, scenario: Scenario, folder: Path | None = None) -> None:
        super().__init__()
        self.text = export_all(scenario)
        self.path = (folder or Path.cwd()) / EXPORT_FILE

    def compose(self) -> ComposeResult:
        """A scrollable box with the configuration."""
        with VerticalScroll(id="report") as box:
            box.border_title = "the current settings as Kafka configuration"
            yield Static(Text(self.text), id="export-body")

    def on_mount(self) -> None:
        """Write the file; say where (or why not) under the box."""
        box = self.query_one("#report")
        try:
            write_atomic(self.path, self.text)
            box.border_subtitle = f"written to {self.path} · esc closes"
        except OSError as err:
            box.border_subtitle = f"not written ({(err.strerror or str(err)).lower()}) · esc closes"

    def action_close(self) -> None:
        """Back to the sandbox."""
        self.dismiss(None)
