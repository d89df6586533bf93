"""A class: one progress file per student in a class folder, tokens for serving it, merging and reporting."""

from .folder import ClassError, ClassFolder, slug

__all__ = ["ClassError", "ClassFolder", "slug"]
