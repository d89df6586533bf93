"""The app's screens: the sandbox, and the modal ones on top of it (help, inspector, prompt, report)."""
