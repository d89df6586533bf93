"""The Textual terminal UI: the sandbox where records travel, settings change live and things break."""
