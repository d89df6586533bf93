"""The consumer group's box: its generation, coordinator and protocol, then each member with its
partitions (position and committed offset of each) and the time since its last poll against
max.poll.interval.ms. Pure functions of a snapshot's GroupView, so they are tested with fakes."""

from __future__ import annotations

from rich.style import Style

from .draw_parts import ALERT, BOLD, DIM, LABEL, WARN, Piece
from .layout import GROUP_ONE_LINE

GOOD = Style(color="green")
POLL_CELLS = 5        # the poll bar's length
POLL_WARN = 0.6       # from this share of max.poll.interval.ms the bar is yellow
POLL_ALERT = 0.85     # and from this one red: the member is about to be removed from the group


#: words of a line that tells of partitions changing hands in the group (engine events, explanations)
REBALANCE_WORDS = ("rebalanc", "revoked", "revoke", "assigned", "generation", "left the group",
                   "removed from the group", "exceeded max.poll.interval.ms")
REBALANCE_MARK = "⟳ "


def rebalancing(text: str) -> bool:
    """Does a line tell of a rebalance (partitions revoked or assigned, a new generation, a member out)?"""
    low = text.lower()
    return any(w in low for w in REBALANCE_WORDS)


def group_of(snap):
    """The snapshot's consumer group, or None (engines without groups have no such field)."""
    return getattr(snap, "group", None)


def seconds(ms: float) -> str:
    """A duration as a person reads it: "0.4 s", "12 s", "5 min"."""
    if ms < 10_000:
        return f"{ms / 1000:.1f} s"
    if ms < 600_000 or ms % 60_000:
        return f"{ms / 1000:,.0f} s"
    return f"{ms / 60_000:,.0f} min"


def since_poll(member, t: float) -> float | None:
    """Milliseconds since the member last called poll() (`last_poll_ms` is the simulated time of that call)."""
    if member.last_poll_ms is None:
        return None
    return max(t - member.last_poll_ms, 0.0)


def poll_share(member, t: float) -> float:
    """How much of max.poll.interval.ms has passed since the member's last poll (0 when unknown)."""
    since = since_poll(member, t)
    if since is None or member.max_poll_interval_ms <= 0:
        return 0.0
    return since / member.max_poll_interval_ms


def poll_style(share: float) -> Style:
    """Green while the member polls in time, yellow past 60 %, red from 85 % of max.poll.interval.ms."""
    return ALERT if share >= POLL_ALERT else WARN if share >= POLL_WARN else GOOD


def poll_pieces(member, t: float, width: int) -> list[Piece]:
    """"poll ▮▮▯▯▯ 2.1 s of 10 s max.poll": the bar, then the time since the last poll against the limit,
    in the fullest form that fits."""
    since = since_poll(member, t)
    if not member.up or since is None:
        return []
    share = poll_share(member, t)
    full = min(POLL_CELLS, int(share * POLL_CELLS))  # full only once the limit is reached
    bar = ("▮" * full + "▯" * (POLL_CELLS - full), poll_style(share), None)
    limit, gone = seconds(member.max_poll_interval_ms), seconds(since)
    forms = ([("poll ", LABEL, None), bar, (f" {gone} of {limit} max.poll", LABEL, None)],
             [("poll ", LABEL, None), bar, (f" {gone}/{limit}", LABEL, None)],
             [bar, (f" {gone.removesuffix(' s')}/{limit}", LABEL, None)],
             [("poll ", LABEL, None), bar], [bar])
    return next((f for f in forms if sum(len(p[0]) for p in f) <= width), [])


def title(group, width: int) -> tuple[str, Style]:
    """The box's title: the group's state and generation, REBALANCING while members rejoin."""
    state = "REBALANCING" if group.rebalancing else group.state
    forms = (f"group · {state} · generation {group.generation}", f"group {state} · generation {group.generation}",
             f"{state} · generation {group.generation}",
             f"group {state} gen {group.generation}", f"{state} g{group.generation}")
    text = next((f for f in forms if len(f) <= width), forms[-1])
    return text, WARN if group.rebalancing else BOLD


def header_pieces(group, width: int) -> list[Piece]:
    """Where the group lives and how it assigns: coordinator, protocol and strategy, fullest that fits."""
    coord = group.coordinator or "none (looking for it)"
    style = BOLD if group.coordinator else ALERT
    forms = ([("coordinator ", LABEL, None), (coord, style, None),
              (f" · {group.protocol} protocol · {group.strategy}", LABEL, None)],
             [("coordinator ", LABEL, None), (coord, style, None), (f" · {group.strategy}", LABEL, None)],
             [("coordinator ", LABEL, None), (coord, style, None)],
             [("coord ", LABEL, None), (coord.replace("broker-", "b"), style, None)])
    return next((f for f in forms if sum(len(p[0]) for p in f) <= width), forms[-1])


def offsets(member) -> list[tuple[int, int | None, int | None]]:
    """(partition, position, committed) for each partition assigned to the member."""
    pos, com = dict(member.positions), dict(member.committed)
    return [(p, pos.get(p), com.get(p)) for p in member.assigned]


def partition_pieces(member, width: int, names: tuple[str, ...] = (), hide: bool = False) -> list[Piece]:
    """"t-0 41/40 · t-1 39/39": each assigned partition's position / committed offset, as many as fit ("?/?"
    with `hide`)."""
    return offset_pieces(offsets(member), width, names=names, hide=hide) or [("no partitions", DIM, None)]


def tp_label(p: int, names: tuple[str, ...] = ()) -> str:
    """Partition index p by its name ("bar-1"); "t-p" when the names are not known."""
    return names[p] if p < len(names) else f"t-{p}"


def offset_pieces(items: list[tuple[int, int | None, int | None]], width: int, sep: str = " · ",
                  names: tuple[str, ...] = (), hide: bool = False) -> list[Piece]:
    """(partition, position, committed) triples as "t-0 41/40 · t-1 39/—", as many as fit, "+N" for the rest;
    with `hide` (a question asks about them) each offset is "?"."""
    show = (lambda v: "?") if hide else (lambda v: "—" if v is None else f"{v:,}")
    out: list[Piece] = []
    used = 0
    for i, (p, pos, com) in enumerate(items):
        unit = [(sep if i else "", LABEL, None), (f"{tp_label(p, names)} ", LABEL, None),
                (f"{show(pos)}/{show(com)}", BOLD, None)]
        size = sum(len(t) for t, _, _ in unit)
        more = len(f" +{len(items) - i - 1}") if i < len(items) - 1 else 0
        if used + size + more > width:
            out.append((f" +{len(items) - i}", DIM, None))
            break
        out += unit
        used += size
    return out


def drawn_members(snap) -> int:
    """How many members the group's box shows: none for a group of one (its consumer box says it all)."""
    group = group_of(snap)
    return len(group.members) if group is not None and len(group.members) > 1 else 0


def member_name(name: str, room: int) -> str:
    """"consumer-2", or "c2" when the full name would not leave `room` columns for the state and poll bar."""
    return name if len(name) <= room else name.replace("consumer-", "c")


def member_rows(group, t: float, width: int, two_lines: bool, selected: str | None = None,
                hide: bool = False) -> list[list[Piece]]:
    """Each member: name, up or DOWN, its state and poll bar; its partitions on the same line or the next."""
    rows: list[list[Piece]] = []
    for m in group.members:
        mark = "▶" if m.name == selected else " "
        state = (" DOWN", ALERT) if not m.up else \
            (f" {m.state}", WARN if m.state.lower() not in ("stable", "active") else LABEL)
        room = width - 1 - len(state[0]) - (POLL_CELLS + 1)  # the name gives way to the state and the bar
        head: list[Piece] = [(mark, BOLD, ("node", m.name)), (member_name(m.name, room), BOLD, ("node", m.name)),
                             (state[0], state[1], None)]
        used = sum(len(t) for t, _, _ in head)
        poll = poll_pieces(m, t, width - used - 1)
        gap = width - used - sum(len(t) for t, _, _ in poll)
        if two_lines:
            rows.append(head + [(" " * max(gap, 1), LABEL, None)] + poll)
            rows.append([("   ", LABEL, None)] + partition_pieces(m, width - 3, getattr(group, "tps", ()), hide))
        else:
            parts = partition_pieces(m, max(gap - 2, 0), getattr(group, "tps", ()), hide)
            rest = gap - sum(len(t) for t, _, _ in parts) - 1
            rows.append(head + [(" ", LABEL, None)] + parts + [(" " * max(rest, 1), LABEL, None)] + poll)
    return rows


def box_rows(group, t: float, width: int, height: int, selected: str | None = None,
             hide: bool = False) -> list[list[Piece]]:
    """The box's rows: the header, then the members (two lines each when narrow), as many as the height holds;
    `hide`: the offsets read "?" (a question asks about them)."""
    two = width < GROUP_ONE_LINE
    rows = [header_pieces(group, width)] + member_rows(group, t, width, two, selected, hide)
    if len(rows) > height:
        hidden = len(group.members) - (height - 2) // (2 if two else 1)
        rows = rows[: height - 1] + [[(f"+{hidden} more members", DIM, None)]]
    return rows
