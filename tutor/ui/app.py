"""The Textual app: `make_app()` opens the main menu, the sandbox, the lessons or one lesson."""

from __future__ import annotations

import sys
from functools import partial
from typing import TYPE_CHECKING, Any, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from .screens.menu import EXPLORE, LABS_ENTRY, LESSONS, QUIT, SANDBOX, LabsScreen, LessonsScreen, MenuScreen

if TYPE_CHECKING:  # the engine, the lessons and the screens not shown first load when first used: the menu opens sooner
    from tutor.lessons.catalog import Catalog, Item
    from tutor.lessons.progress import ProgressStore
    from tutor.sim.spec import Scenario

    from .driver import Driver
    from .screens.sandbox import SandboxScreen

SANDBOX_START, MENU_START, LESSONS_START = "sandbox", "menu", "lessons"


def sandbox_scenario() -> Scenario:
    """The built-in sandbox: three brokers, RF=3, a long steady workload, a consumer, nothing scripted."""
    from importlib.resources import files

    from tutor.scenario import parse_scenario

    text = (files("tutor") / "data" / "scenarios" / "sandbox.toml").read_text(encoding="utf-8")
    return parse_scenario(text, source="sandbox.toml", default_title="sandbox")


class TutorApp(App):
    """tutor: the main menu, the sandbox, the lessons and the labs."""

    # The menus' styles come with the app's: a screen with a CSS_PATH of its own makes Textual parse every
    # stylesheet again when it first opens, which the menu's first frame would wait for.
    CSS_PATH = ["app.tcss", "screens/menu.tcss"]
    TITLE = "tutor"
    BINDINGS = [Binding("ctrl+c", "quit", "quit", show=False, priority=True),
                Binding("escape", "menu", "menu", key_display="esc")]

    def __init__(self, driver: Driver | None, size: tuple[int, int] | None = None, start: str = SANDBOX_START,
                 lessons: str | None = None, lesson: str | None = None, autoplay: bool = True,
                 catalog: Catalog | None = None, scenario: Scenario | None = None, seed: int | None = None) -> None:
        super().__init__()
        self._sandbox_driver = driver
        self._scenario, self._seed = scenario, seed
        self.pinned_size = size
        self.start, self.lessons_dir, self.first_lesson, self.autoplay = start, lessons, lesson, autoplay
        self._catalog = catalog
        self._store: ProgressStore | None = None

    def on_mount(self) -> None:
        """Open the sandbox, or the menu (and on it the lessons, or one lesson)."""
        if self.start == SANDBOX_START:
            from .screens.sandbox import SandboxScreen

            self.push_screen(SandboxScreen(self.driver))
            return
        if self.start == LESSONS_START or self.first_lesson is not None:
            self.push_screen(MenuScreen(self.lessons_line()))
            self.open_lessons()
        else:  # the menu shows at once; the line under Lessons, which reads every lesson file, just after
            menu = MenuScreen()
            self.push_screen(menu)
            self.call_after_refresh(self._fill_lessons_line, menu)
        if self.first_lesson is not None:
            self.open_lesson(self.catalog.find(self.first_lesson))

    def _fill_lessons_line(self, menu: MenuScreen) -> None:
        """The menu's progress line, once the menu is on the screen."""
        if menu.is_attached:
            menu.set_lessons_line(self.lessons_line())

    @property
    def driver(self) -> Driver:
        """The sandbox's run (made when first needed: the menu does not wait for the engine)."""
        if self._sandbox_driver is None:
            from .driver import Driver

            self._sandbox_driver = Driver(self._scenario or sandbox_scenario(), seed=self._seed, playing=self.autoplay)
        return self._sandbox_driver

    # --- lessons and progress ---------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        """The lessons (loaded once; a broken file is an item with its error, never an exception)."""
        if self._catalog is None:
            from tutor.lessons.catalog import load_catalog

            self._catalog = load_catalog(self.lessons_dir)
        return self._catalog

    @property
    def store(self) -> ProgressStore:
        """The learner's progress file (opened once; a bad one is set aside with a warning)."""
        if self._store is None:
            from tutor.lessons.progress import ProgressStore

            self._store = ProgressStore.open()
        return self._store

    def lessons_line(self) -> str:
        """"11 lessons · 3 done · next: The producer's buffer", for the main menu."""
        done = self.store.done()
        n = len(self.catalog.items)
        nxt = self.catalog.next_lesson(done)
        line = f"{n} lessons · {len(done & {i.id for i in self.catalog.items})} done"
        return line + (f" · next: {nxt.title}" if nxt else "")

    def open_lessons(self) -> None:
        """The lessons menu."""
        self.push_screen(LessonsScreen(self.catalog, self.store, self.lessons_dir))

    def open_lesson(self, item: Item) -> None:
        """A lesson, over the lessons menu; afterwards the menu shows the new progress."""
        from .screens.lesson import LessonScreen

        self.push_screen(LessonScreen(item, self.catalog, self.store, self.autoplay),
                         partial(self._lesson_closed, item))

    def _lesson_closed(self, item: Item, result: str | None) -> None:
        """Back from a lesson: the menus show the new progress; "next" opens the next lesson."""
        done = self.store.done()
        for screen in self.screen_stack:
            if isinstance(screen, LessonsScreen):
                screen.refresh_list(None if item.id in done else item)
            elif isinstance(screen, MenuScreen):
                screen.set_lessons_line(self.lessons_line())
        nxt = self.catalog.next_lesson(done)
        if result == "next" and nxt is not None:
            self.open_lesson(nxt)

    # --- messages from the menus ------------------------------------------------------------
    def on_menu_screen_chosen(self, message: MenuScreen.Chosen) -> None:
        """Sandbox, Lessons, Labs, Explore or Quit."""
        if message.what == SANDBOX:
            from .screens.sandbox import SandboxScreen

            self.push_screen(SandboxScreen(self.driver))
        elif message.what == LESSONS:
            self.open_lessons()
        elif message.what == LABS_ENTRY:
            self.push_screen(LabsScreen())
        elif message.what == EXPLORE:
            from .screens.explore import ExploreScreen

            self.push_screen(ExploreScreen())
        elif message.what == QUIT:
            self.exit()

    def on_lessons_screen_open(self, message: LessonsScreen.Open) -> None:
        """A lesson chosen in the lessons menu."""
        self.open_lesson(message.item)

    # --- the sandbox ------------------------------------------------------------------------
    @property
    def sandbox(self) -> SandboxScreen:
        """The sandbox screen (under any modal on top of it)."""
        return next(s for s in self.screen_stack if is_sandbox(s))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """esc goes back to the menu only from the sandbox, and only when it was opened from the menu."""
        if action == "menu":
            return is_sandbox(self.screen) and any(
                isinstance(s, MenuScreen) for s in self.screen_stack)
        return True

    def action_menu(self) -> None:
        """esc in the sandbox: back to the menu (the run is kept for next time)."""
        self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every sandbox action besides Textual's own."""
        yield from super().get_system_commands(screen)
        if is_sandbox(screen):
            from .keys import ALL

            brokers = {b.name for b in screen.driver.snap.brokers}
            for k in ALL:
                if k.action.startswith("select('broker-") and k.action[8:-2] not in brokers:
                    continue  # only the brokers this cluster has
                yield SystemCommand(k.help[:1].upper() + k.help[1:], f"key {k.display or k.keys.split(',')[0]}",
                                    partial(screen.run_action, k.action))

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run; a pinned size applies to headless runs."""
        if self.pinned_size is not None:
            kwargs.setdefault("size", self.pinned_size)
        return super().run(*args, **kwargs)


def make_app(scenario: Scenario | None = None, seed: int | None = None, autoplay: bool = True,
             size: tuple[int, int] | None = None, start: str = SANDBOX_START, lessons: str | None = None,
             lesson: str | None = None, catalog: Catalog | None = None) -> TutorApp:
    """The app: the sandbox (default), the menu, the lessons, or one lesson (checked by the caller); tests pin it."""
    return TutorApp(None, size, start, lessons, lesson, autoplay, catalog, scenario, seed)


def is_sandbox(screen: Screen) -> bool:
    """Is this the sandbox screen? (Without importing it: no sandbox exists before its module loads.)"""
    module = sys.modules.get("tutor.ui.screens.sandbox")
    return module is not None and isinstance(screen, module.SandboxScreen)
