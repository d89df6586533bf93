"""Which of some settings a run reads: two runs whose settings differ only in ones neither read play alike.

`tutor check` tries many values of a challenge's settings, and a value the run never acts on (a flush interval
applied by a task that never runs, a commit interval with commits off) plays the very run another value did.
A watched run keeps the watched keys of each section aside and notes the first read of each, which moves it among
the plain keys; every other key, and a noted one, is read at a plain dict's speed. Whatever reads a section whole
(its items, a copy) counts as reading them all.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

Key = tuple[str, str]  # (section, key)

SECTIONS = ("cluster", "topic", "broker", "producer", "consumer", "workload", "network")


class WatchedSection(dict):
    """A section of settings whose watched keys are kept aside and noted in `reads` when read."""

    def __init__(self, section: str, values: dict[str, Any], watched: Iterable[str], reads: set[Key]) -> None:
        watched = set(watched)
        super().__init__({k: v for k, v in values.items() if k not in watched})
        self._section, self._reads = section, reads
        self._aside = {k: values[k] for k in values if k in watched}

    def _note(self, key: str) -> None:
        """A watched key was read (or written, which a later read sees the same in every run)."""
        self._reads.add((self._section, key))

    def _whole(self) -> dict[str, Any]:
        """Every key, the watched ones counted as read."""
        for key in self._aside:
            self._note(key)
        return {**dict(super().items()), **self._aside}

    def _read(self, key: str) -> Any:
        """Note a watched key's first read and move it among the plain keys: once noted, its later reads
        need no noting, and a run reads some of them (acks, linger.ms) for every batch."""
        self._note(key)
        value = self._aside.pop(key)
        dict.__setitem__(self, key, value)
        return value

    def __missing__(self, key: str) -> Any:
        if key in self._aside:
            return self._read(key)
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        """dict.get, noting a watched key."""
        if key in self._aside:
            return self._read(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        if key in self._aside:
            self._read(key)  # type: ignore[arg-type]
            return True
        return super().__contains__(key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self._aside:
            self._read(key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        if key in self._aside:
            self._note(key)
            del self._aside[key]
        else:
            super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        """dict.pop, noting a watched key."""
        if key in self._aside:
            self._note(key)
            return self._aside.pop(key)
        return super().pop(key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        """dict.setdefault, noting a watched key."""
        if key in self._aside:
            return self._read(key)
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        """dict.update, item by item."""
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def keys(self):  # type: ignore[override]
        """Every key (the watched ones counted as read)."""
        return self._whole().keys()

    def values(self):  # type: ignore[override]
        """Every value (the watched ones counted as read)."""
        return self._whole().values()

    def items(self):  # type: ignore[override]
        """Every item (the watched ones counted as read)."""
        return self._whole().items()

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return super().__len__() + len(self._aside)

    def __eq__(self, other: object) -> bool:
        return self._whole() == other

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._whole())

    def copy(self) -> dict[str, Any]:
        """A plain copy of the whole section."""
        return self._whole()

    def __copy__(self) -> dict[str, Any]:
        return self._whole()

    def __deepcopy__(self, memo: dict) -> dict[str, Any]:
        import copy

        return copy.deepcopy(self._whole(), memo)

    def __reduce__(self):  # (pickled as the plain dict it stands for)
        return dict, (self._whole(),)


def watch(config: Any, keys: Iterable[Key]) -> set[Key]:
    """Keep the watched keys of the config's sections aside; returns the set their reads go into. Further topics
    hold values of [topic] (replication.factor, min.insync.replicas) copied when the config was built: the ones
    watched count as read at once."""
    keys = set(keys)
    reads: set[Key] = set()
    for name in SECTIONS:
        values = getattr(config, name)
        mine = {k for s, k in keys if s == name}
        if values is not None and mine:
            setattr(config, name, WatchedSection(name, values, mine, reads))
    if getattr(config, "extra_topics", None):
        reads.update(k for k in keys if k[0] == "topic")
    return reads
