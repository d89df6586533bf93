"""Every classroom test keeps its classes in a private data folder."""

import pytest


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """TUTOR_DATA_DIR points at a fresh folder (the served class's tabs inherit it)."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(folder))
    return folder
