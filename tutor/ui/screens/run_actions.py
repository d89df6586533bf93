"""What every screen that plays a run shares (the sandbox and the lessons): speed, the present, inspecting."""

from __future__ import annotations

from ..inspect import story
from .inspector import InspectorScreen
from .prompt import PromptScreen


class RunActions:
    """Mixed into a screen with `driver`, `runner` and `show()`: speed keys, end, and the inspector."""

    def action_to_live(self) -> None:
        """end: back to the present."""
        self.runner.sync(self.driver.to_live)
        self.show()

    def action_slower(self) -> None:
        """-."""
        self.driver.clock.slower()
        self.show()

    def action_faster(self) -> None:
        """+."""
        self.driver.clock.faster()
        self.show()

    def action_inspect(self) -> None:
        """i: ask for a record number."""
        self.app.push_screen(PromptScreen("Inspect record number:", placeholder="e.g. 42"), self._inspect_text)

    def _inspect_text(self, text: str | None) -> None:
        """The record prompt answered."""
        if text is None:
            return
        sent = self.driver.snap.counts["sent"]
        if not text.strip().isdigit() or int(text) >= sent:
            self.notify(f"records 0 to {sent - 1:,} have been sent so far", severity="warning")
            return
        self.inspect(int(text))

    def inspect(self, rid: int) -> None:
        """Open the inspector on a record (and highlight it on screen)."""
        self.driver.inspected = rid
        held = self.frame.held if self.frame is not None else frozenset()  # an open lesson question's
        parts = self.runner.sync(lambda: story(self.driver.session.sim, self.driver.snap, rid,
                                               self.driver.session.cursor, held))
        self.show()
        self.app.push_screen(InspectorScreen(rid, parts))
