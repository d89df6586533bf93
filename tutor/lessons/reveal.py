"""Predict, then reveal: which figures would give an open (or later) question's answer away, and the state block."""

from __future__ import annotations

from typing import Any, Iterable

from tutor.sim.snapshot import Snapshot

from .claims import ID_TESTS
from .model import Lesson, Question

#: the figures the screens and the text player show, and the measures each would reveal
FIGURES: dict[str, frozenset[str]] = {
    "sent": frozenset({"sent"}),
    "acked": frozenset({"acked", "send_errors", "unconfirmed", "failed"}),
    "lost": frozenset({"lost", "lost_acked", "lost_at.producer", "lost_at.broker", "lost_at.consumer",
                       "lost_ids", "lost_acked_ids", "lost_includes", "lost_excludes"}),
    "duplicates": frozenset({"duplicates", "duplicated_ids", "duplicated_includes", "duplicated"}),
}


def asks(q: Question | None) -> frozenset[str]:
    """The measures a prediction's answer depends on (its measure, or those its choices' claims name)."""
    if q is None or q.kind == "challenge":
        return frozenset()
    if q.kind in ("number", "pick"):
        return frozenset({q.measure}) if q.measure else frozenset()
    names: set[str] = set()
    for choice in q.choices:
        for expect in choice.claim.items:
            names.add(expect.name)
            names.add(ID_TESTS.get(expect.name, expect.name))
    return frozenset(names)


def is_observation(q: Question | None) -> bool:
    """A question about the state on screen right now (`after.ms = 0`): its state is shown, not held back."""
    return q is not None and q.after_ms == 0


def held_figures(measures: Iterable[str]) -> frozenset[str]:
    """The shown figures (FIGURES' names, or a live measure itself) that would reveal any of `measures`."""
    wanted = set(measures)
    out = {name for name, reveals in FIGURES.items() if reveals & wanted}
    return frozenset(out | wanted)


def held_now(q: Question | None) -> frozenset[str]:
    """What to hold back while `q` is open: nothing for challenges and observation questions."""
    if q is None or is_observation(q):
        return frozenset()
    return held_figures(asks(q))


def held_later(lesson: Lesson, index: int) -> frozenset[str]:
    """What a verdict at step `index` must not show: the figures later prediction questions ask about."""
    return held_figures(m for i, q in lesson.questions() if i > index for m in asks(q))


#: a consumer's offsets go together: a commit carries the position, so either one gives the other away
OFFSETS = frozenset({"consumer.committed", "consumer.position"})


def offsets_held(held: frozenset[str]) -> bool:
    """Must the consumer's position and committed offset stay hidden (the open question asks about one)?"""
    return bool(OFFSETS & held)


#: words in an event line or a message that tell a held-back figure (a count of lost records, a send error)
TELLING = {"lost": ("lost", "gone", "removed", "truncat", "skip", "discard"), "duplicates": ("duplicat", "twice"),
           "acked": ("error", "failed", "timed out", "timeout")}


def tells(text: str, held: frozenset[str]) -> bool:
    """Would this line (an event, a message) give a held-back figure away?"""
    low = text.lower()
    return any(word in low for figure, words in TELLING.items() if figure in held for word in words)


def untold(lines: Iterable[str], held: frozenset[str]) -> list[str]:
    """The lines that give nothing held back away; the rest become one line saying they come with the answer."""
    lines = list(lines)
    kept = [line for line in lines if not tells(line, held)]
    if len(kept) < len(lines):
        kept.append("what it did to the records shows once you have answered")
    return kept


def figure_parts(counts: dict[str, Any], held: frozenset[str] = frozenset()) -> list[str]:
    """The run's record counts in words, leaving out the figures held back for an open or later question."""
    parts = []
    if "sent" not in held:
        parts.append(f"sent {counts['sent']:,}")
    if "acked" not in held:
        parts.append(f"acknowledged {counts['acked']:,}")
    if "lost" not in held:
        parts.append(f"lost {counts['lost']:,} (acknowledged {counts['lost_acked']:,})")
    if "duplicates" in counts and "duplicates" not in held:
        parts.append(f"duplicates {counts['duplicates']:,}")
    return parts


def played_line(summary: dict[str, Any], held: frozenset[str] = frozenset()) -> str:
    """The played-out run in one line, without the figures held back for a later question."""
    parts = figure_parts(summary, held)
    if not parts:
        return "played to the end (its figures come with a later question)"
    tail = " · the rest comes with a later question" if len(parts) < 4 else ""
    return "played to the end: " + " · ".join(parts) + tail


def state_lines(snap: Snapshot, held: frozenset[str] = frozenset()) -> list[str]:
    """A compact state block: per broker log end, HW, flushed offset and ISR; producer and consumer positions.
    With several partitions, one line per partition (leader, HW, ISR) and the consumer's offsets per partition.
    The consumer's offsets show as "?" while the open question asks about one of them (`held`)."""
    if len(snap.partitions) > 1:
        return _partitions_lines(snap) + _client_lines(snap, offsets_held(held))
    lines = [f"t = {snap.t:,.0f} ms · leader {snap.leader or 'none (offline)'} · "
             f"ISR {{{', '.join(snap.isr)}}}"]
    for b in snap.brokers:
        if not b.replica:
            continue
        state = "up" if b.up else f"down ({b.down_kind or 'stopped'})"
        role = "leader" if b.leader else "follower"
        isr = "in ISR" if b.in_isr else "out of ISR"
        lines.append(f"{b.name}: {state} · {role} · log end {b.leo:,} · HW {b.hw:,} · "
                     f"flushed to disk {b.flushed:,} · {isr}")
    return lines + _client_lines(snap, offsets_held(held))


def _partitions_lines(snap: Snapshot) -> list[str]:
    """The brokers that are down, then each partition's leader, high watermark and ISR."""
    down = [f"{b.name} down ({b.down_kind or 'stopped'})" for b in snap.brokers if not b.up]
    lines = [f"t = {snap.t:,.0f} ms · {len(snap.partitions)} partitions"
             + (" · " + ", ".join(down) if down else " · every broker up")]
    for pv in snap.partitions:
        lines.append(f"{pv.tp}: leader {pv.leader or 'none (offline)'} · HW {pv.hw:,} · "
                     f"ISR {{{', '.join(pv.isr)}}}")
    return lines


def _client_lines(snap: Snapshot, hide: bool = False) -> list[str]:
    """The producer's progress, and the consumer's position and committed offset (per partition when several;
    "?" for each with `hide`)."""
    show = (lambda value: "?") if hide else _offset
    lines = []
    p = snap.producer
    waiting = sum(count for _, count, _ in p.buffered)
    flying = sum(count for _, count, _, _ in p.in_flight)
    lines.append(f"producer: {'up' if p.up else 'down'} · sent {p.sent:,} of {p.total:,} · "
                 f"{waiting:,} in its buffer · {flying:,} in flight")
    c = snap.consumer
    g = snap.group
    if g is not None and len(g.members) > 1:
        lines.append(f"group: {g.state} · generation {g.generation} · {g.protocol} ({g.strategy})")
        lines += [_member_line(m, show) for m in g.members]
    elif c is not None and len(c.partitions) > 1:
        offsets = " · ".join(f"t-{i} position {show(pos)}, committed {show(com)}"
                             for i, pos, com in c.partitions)
        lines.append(f"consumer: {'up' if c.up else 'down'} · processed {c.processed:,} · {offsets}")
    elif c is not None:
        lines.append(f"consumer: {'up' if c.up else 'down'} · position {show(c.position)} · "
                     f"committed offset {show(c.committed)} · processed {c.processed:,}")
    return lines


def _member_line(m: Any, show: Any = None) -> str:
    """One group member: whether it runs, the partitions it holds, and each one's position and committed offset
    (written by `show`)."""
    show = show or _offset
    if not m.assigned:
        return f"{m.name}: {'up' if m.up else 'down'} · holds no partition"
    positions, committed = dict(m.positions), dict(m.committed)
    offsets = " · ".join(f"t-{p} position {show(positions.get(p))}, committed {show(committed.get(p))}"
                         for p in m.assigned)
    return f"{m.name}: {'up' if m.up else 'down'} · {offsets}"


def _offset(value: int | None) -> str:
    """An offset, or "none" when there is none yet."""
    return "none" if value is None else f"{value:,}"
