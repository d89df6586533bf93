"""The Explore screen through Pilot: from the menu, the sweep off the UI thread, a fault opened in the sandbox;
and the sandbox's export key."""

import asyncio
import json

import pytest

from tutor.explore import parse_sweep
from tutor.ui.app import make_app
from tutor.ui.screens.explore import ExploreScreen
from tutor.ui.screens.export import EXPORT_FILE, ExportScreen
from tutor.ui.screens.menu import MenuScreen
from tutor.ui.screens.sandbox import SandboxScreen

from .sweeps import TINY


@pytest.fixture(autouse=True)
def private_data(tmp_path, monkeypatch):
    """Progress in a private folder; exports land in tmp_path."""
    monkeypatch.setenv("TUTOR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)


async def finished(pilot, screen: ExploreScreen) -> None:
    """Wait for the sweep's worker, then for the table it fills."""
    await pilot.app.workers.wait_for_complete()
    while screen.rows is None:  # the worker's last call lands on the UI thread after it ends
        await pilot.pause()


def test_menu_opens_explore_and_a_fault_opens_in_the_sandbox():
    async def run():
        app = make_app(autoplay=False, start="menu", size=(120, 36))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, MenuScreen)
            assert app.screen.query_one("#menu-list").get_option_at_index(3).id == "explore"
            await app.push_screen(ExploreScreen(parse_sweep(TINY, source="tiny.toml")))
            screen = app.screen
            await finished(pilot, screen)
            assert screen.query_one("#configs").row_count == 2
            chart = str(screen.query_one("#chart").content)
            assert "Pareto frontier" in chart and "*" in chart
            await pilot.press("down", "enter")  # the acks=all configuration, then its faults
            await pilot.press("down", "enter")  # the second fault
            assert isinstance(app.screen, SandboxScreen)
            scenario = app.screen.driver.scenario
            assert scenario.config.producer["acks"] == "all"
            assert [a.action for a in scenario.events] == ["slow", "power-loss"]
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
    asyncio.run(run())


def test_menu_key_4_is_explore(monkeypatch):
    monkeypatch.setattr("tutor.ui.screens.explore.default_sweep", lambda: parse_sweep(TINY, source="tiny.toml"))

    async def run():
        app = make_app(autoplay=False, start="menu", size=(120, 36))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("4")
            await pilot.pause()
            assert isinstance(app.screen, ExploreScreen)
            await finished(pilot, app.screen)  # the (here: tiny) built-in sweep, run off the UI thread
            assert app.screen.query_one("#configs").row_count == 2
            assert "2 configurations × 2 faults × 2 seeds" in str(app.screen.query_one("#explore-status").content)
    asyncio.run(run())


def test_sandbox_w_writes_and_shows_the_export(tmp_path):
    async def run():
        app = make_app(autoplay=False, size=(120, 36))
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(app.screen, ExportScreen)
            text = (tmp_path / EXPORT_FILE).read_text()
            assert text == app.screen.text
            assert "### Java client properties" in text and "kafka-topics.sh" in text
            rdk = text.split("### confluent-kafka / librdkafka (JSON)\n")[1].split("\n###")[0]
            assert json.loads(rdk.split("# note")[0])["consumer"]["auto.offset.reset"] == "earliest"
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, SandboxScreen)
    asyncio.run(run())
