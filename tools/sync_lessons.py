"""Copy lessons/*.toml (the files to edit) over tutor/data/lessons/ (the copy the package ships)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE, SHIPPED = ROOT / "lessons", ROOT / "tutor" / "data" / "lessons"


def sync() -> list[str]:
    """Make the shipped folder hold exactly the lesson files; returns what changed."""
    SHIPPED.mkdir(parents=True, exist_ok=True)
    changed = []
    wanted = {p.name for p in SOURCE.glob("*.toml")}
    for old in SHIPPED.glob("*.toml"):
        if old.name not in wanted:
            old.unlink()
            changed.append(f"removed {old.name}")
    for src in sorted(SOURCE.glob("*.toml")):
        dst = SHIPPED / src.name
        if not dst.exists() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
            changed.append(f"copied {src.name}")
    return changed


if __name__ == "__main__":
    for line in sync():
        print(line)
    sys.exit(0)
