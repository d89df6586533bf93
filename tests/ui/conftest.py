"""Fixtures for the UI tests (helpers live in uihelp.py)."""

import pytest

from uihelp import driver


@pytest.fixture
def drv():
    """A paused driver on the sandbox scenario, 1 s in."""
    d = driver()
    d.seek(1000)
    return d
