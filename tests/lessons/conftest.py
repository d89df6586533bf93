"""Shared fixtures for the lesson tests: a private data directory and small lesson files."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Every test keeps its progress in a private directory."""
    folder = tmp_path / "data"
    monkeypatch.setenv("TUTOR_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def write(tmp_path):
    """Write a file under tmp_path and return its path."""
    def write_file(name: str, text: str) -> Path:
        """Write one file, making its folders."""
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path
    return write_file
