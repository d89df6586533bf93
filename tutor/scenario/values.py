"""Check one setting's value against its kind, bounds and choices; return it in canonical form."""

from __future__ import annotations

import math
from typing import Any

from tutor.sim.config import Setting, normalize_acks

from .errors import one_of, show, type_name
from .limits import messages_problem, time_problem

ACKS_SPELLINGS = '"all", "-1", "1", "0" (or the integers -1, 0, 1)'


def is_int(value: Any) -> bool:
    """True for a TOML integer (a boolean is not one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for a finite TOML integer or float."""
    return is_int(value) or (isinstance(value, float) and math.isfinite(value))


def check_value(setting: Setting, value: Any) -> Any:
    """The canonical value, or ValueError saying what the setting takes (or what this machine can run)."""
    checked = _CHECKS[setting.kind](setting, value)
    problem = time_problem(setting.name, checked)
    if setting.name == "messages" and setting.section == "workload":
        problem = messages_problem(checked)
    if problem:
        raise ValueError(problem)
    return checked


def _int(setting: Setting, value: Any) -> int:
    """An integer within the setting's bounds."""
    if not is_int(value):
        raise ValueError(f"takes an integer, not {show(value)} ({type_name(value)})")
    return _bounded(setting, value)


def _float(setting: Setting, value: Any) -> float:
    """A number (integer or float) within the setting's bounds."""
    if not is_number(value):
        raise ValueError(f"takes a number, not {show(value)} ({type_name(value)})")
    return _bounded(setting, value)


def _bounded(setting: Setting, value: Any) -> Any:
    """The value, or ValueError when it lies outside [minimum, maximum]."""
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(f"must be at least {bound(setting.minimum)}, not {show(value)}")
    if setting.maximum is not None and value > setting.maximum:
        raise ValueError(f"must be at most {bound(setting.maximum)}, not {show(value)}")
    return value


def bound(limit: float) -> str:
    """A bound written plainly: 1, 0.5, 10000000 (never 1e+07)."""
    return str(int(limit)) if float(limit).is_integer() else str(limit)


def _bool(setting: Setting, value: Any) -> bool:
    """true or false (unquoted)."""
    if not isinstance(value, bool):
        raise ValueError(f"takes true or false, not {show(value)} ({type_name(value)})")
    return value


def _str(setting: Setting, value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"takes a non-empty string, not {show(value)}")
    return value


def _choice(setting: Setting, value: Any) -> str:
    """One of the choices, or an alias of one (returned as the choice it stands for)."""
    text = str(value) if isinstance(value, float) else value  # kafka.version = 3.7
    if isinstance(text, str) and text in setting.choices:
        return text
    if isinstance(text, str) and text in setting.aliases:
        return setting.aliases[text]
    raise ValueError(f"takes {one_of(setting.choices)}{_alias_note(setting)}, not {show(value)}")


def _alias_note(setting: Setting) -> str:
    """" (also: "smallest" = "earliest", ...)" when the setting has aliases."""
    if not setting.aliases:
        return ""
    pairs = ", ".join(f"{show(a)} = {show(c)}" for a, c in setting.aliases.items())
    return f" (also {pairs})"


def _acks(setting: Setting, value: Any) -> str:
    """"all", "-1", "1", "0" or the integers -1, 0, 1; returned as "all", "1" or "0"."""
    if value in ("all", "-1", "1", "0") or (is_int(value) and value in (-1, 0, 1)):
        return normalize_acks(value)
    raise ValueError(f"takes {ACKS_SPELLINGS}, not {show(value)}")


def _flush(setting: Setting, value: Any) -> int:
    """An integer >= 1; leaving the key out means never."""
    if not is_int(value) or value < 1:
        raise ValueError(f"takes an integer >= 1 (leave it out for never), not {show(value)}")
    return value


_CHECKS = {"int": _int, "float": _float, "bool": _bool, "str": _str, "choice": _choice,
           "acks": _acks, "flush": _flush}
