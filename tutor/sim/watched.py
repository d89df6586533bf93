"""Which of some settings a run reads: two runs whose settings differ only in ones neither read play alike.

`tutor check` tries many values of a challenge's settings, and a value the run never acts on (a flush interval
applied by a task that never runs, a commit interval with commits off) plays the very run another value did.
A watched run keeps the watched keys of each section aside and notes the first read of each, which moves it among
the plain keys; every other key, and a noted one, is read at a plain dict's speed. Whatever reads a section whole
(its items, a copy) counts as reading them all.

Some numbers the engine only compares with a quantity of the run: a flush is due once the unflushed records reach
log.flush.interval.messages, a batch is sent while fewer than max.in.flight.requests.per.connection are in flight.
Such a comparison goes through one of the functions below (reaches, below, exceeds, at_most), which, for a
watched key, note the largest quantity it was compared with (its bound) instead of a read, and leave the key
watched. Every value above the bound, or unset, makes each of those comparisons come out alike, and the run acts
on nothing else of the key: two such values play the same run, event by event. Any other read of the key is a
plain read, which wins. A plain dict (an unwatched run) pays one class test per comparison.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

Key = tuple[str, str]  # (section, key)

SECTIONS = ("cluster", "topic", "broker", "producer", "consumer", "workload", "network")


class WatchedSection(dict):
    """A section of settings whose watched keys are kept aside and noted in `reads` when read, or in `bounds`
    when only compared (see compared)."""

    def __init__(self, section: str, values: dict[str, Any], watched: Iterable[str], reads: set[Key],
                 bounds: dict[Key, Any] | None = None) -> None:
        watched = set(watched)
        super().__init__({k: v for k, v in values.items() if k not in watched})
        self._section, self._reads = section, reads
        self._bounds = {} if bounds is None else bounds
        self._aside = {k: values[k] for k in values if k in watched}

    def compared(self, key: str, quantity: Any) -> Any:
        """A key's value, read only to be compared with `quantity` (see reaches, below, exceeds, at_most): a
        watched key notes the largest such quantity as its bound, and stays watched; any other key is read."""
        if key in self._aside:
            noted = (self._section, key)
            bound = self._bounds.get(noted)
            if bound is None or quantity > bound:
                self._bounds[noted] = quantity
            return self._aside[key]
        return self[key]

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


def reaches(section: dict, key: str, quantity: int) -> bool:
    """quantity >= the key's count, an unset (or zero) count never reached (log.flush.interval.messages): a count
    above the bound, or unset, is not reached by any quantity noted."""
    n = section.compared(key, quantity) if section.__class__ is WatchedSection else section[key]
    return bool(n) and quantity >= n


def below(section: dict, key: str, quantity: int) -> bool:
    """quantity < the key's limit (max.in.flight.requests.per.connection): true of every limit above the bound."""
    limit = section.compared(key, quantity) if section.__class__ is WatchedSection else section[key]
    return quantity < limit


def exceeds(section: dict, key: str, quantity: int) -> bool:
    """quantity > the key's count (retries against attempts): false for every count above the bound."""
    n = section.compared(key, quantity) if section.__class__ is WatchedSection else section[key]
    return quantity > n


def at_most(section: dict, key: str, quantity: int) -> int:
    """min(quantity, the key's cap) (max.poll.records against the records there are): quantity itself for every
    cap above the bound."""
    cap = section.compared(key, quantity) if section.__class__ is WatchedSection else section[key]
    return min(quantity, cap)


def beyond(value: Any, bound: Any) -> bool:
    """Is a value above a key's bound, or unset (None: never reached, as an unset flush count is), so that every
    comparison noted in the bound came out for it as for any other such value?"""
    return value is None or (type(value) in (int, float) and value > bound)


def watch(config: Any, keys: Iterable[Key]) -> tuple[set[Key], dict[Key, Any]]:
    """Keep the watched keys of the config's sections aside; returns the set their reads go into, and the bounds
    their comparisons note (a key read only in comparisons is in the bounds and not in the reads). Further
    topics hold values of [topic] (replication.factor, min.insync.replicas) copied when the config was built:
    the ones watched count as read at once."""
    keys = set(keys)
    reads: set[Key] = set()
    bounds: dict[Key, Any] = {}
    for name in SECTIONS:
        values = getattr(config, name)
        mine = {k for s, k in keys if s == name}
        if values is not None and mine:
            setattr(config, name, WatchedSection(name, values, mine, reads, bounds))
    if getattr(config, "extra_topics", None):
        reads.update(k for k in keys if k[0] == "topic")
    return reads, bounds
