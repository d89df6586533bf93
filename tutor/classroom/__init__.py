"""A class: one progress file per student in a class folder, tokens for serving it, merging and reporting.

The names load on first use (PEP 562): `tutor`'s argument parser takes the class commands' options from
tutor.classroom.command without loading the class folder and the progress store behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["ClassError", "ClassFolder", "slug"]

if TYPE_CHECKING:
    from .folder import ClassError, ClassFolder, slug


def __getattr__(name: str) -> Any:
    """A public name, imported from tutor.classroom.folder the first time it is asked for."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import folder

    value = getattr(folder, name)
    globals()[name] = value
    return value
