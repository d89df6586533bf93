"""Topics of several partitions: one row per partition in each broker box, and a header line for all of them."""

from __future__ import annotations

from rich.style import Style

from tutor.sim.snapshot import PartitionView, ReplicaView

#: the styles draw.py uses too (draw.py imports this module, so they live here)
LABEL = Style(color="grey62")
BOLD = Style(bold=True)
DIM = Style(dim=True)
WARN = Style(color="yellow", bold=True)
ALERT = Style(color="red", bold=True)
CACHE_AREA = Style(bgcolor="#2a1a30")
DISK_AREA = Style(bgcolor="#142238")
WIDE_ROW = 44  # from this inner width a replica's row spells its role and its offsets out

Piece = tuple[str, Style, object]


def several(snap) -> bool:
    """Does the topic have more than one partition (the one-partition screen stays as it always was)?"""
    return len(getattr(snap, "partitions", ())) > 1


def replica_of(p: PartitionView, broker: str) -> ReplicaView | None:
    """This broker's replica of partition p, or None when it holds no copy of it."""
    return next((r for r in p.replicas if r.name == broker), None)


def role_piece(p: PartitionView, r: ReplicaView, wide: bool) -> Piece:
    """★ for the controller's leader (with its epoch when wide), Z for a replica that still thinks it
    leads, ¬ for a follower out of the ISR, a blank for one in it; wide rows spell it out, aligned."""
    if r.leader:
        text, style = (f"★ leader e{p.leader_epoch}", "★"), BOLD
    elif r.role == "leader":
        text, style = ("Z ZOMBIE", "Z"), ALERT
    elif not r.in_isr:
        text, style = ("¬ OUT of ISR", "¬"), WARN
    else:
        text, style = ("  in ISR", " "), LABEL
    return ((f"{text[0]:<13}" if wide else text[1] + " "), style, None)


def offsets_pieces(r: ReplicaView, wide: bool) -> list[Piece]:
    """Log end and HW (wide), or the HW alone: the newest token already shows the log end."""
    out: list[Piece] = []
    if wide:
        out += [("LEO ", LABEL, None), (f"{r.leo:,}", BOLD, None), (" ", LABEL, None)]
    out += [("HW ", LABEL, None), (f"{r.hw:,} ", BOLD, None)]
    return out


def replica_row(p: PartitionView, r: ReplicaView, width: int, tokens_of, ghosts: dict | None = None,
                powered: bool = True) -> list[Piece]:
    """One replica in one row: the partition, the replica's role, its offsets, then its newest records
    in the page cache (▒, shaded) and on disk (█, shaded differently). `tokens_of(label, ranges, width,
    area, ghosts)` gives a label and the newest tokens that fit; `ghosts` ("cache", "disk") are the
    broker's records lost there; a host without power has an empty page cache, and the row says so."""
    ghosts = ghosts or {}
    wide = width >= WIDE_ROW
    head = [(p.tp + (" " if wide else ""), BOLD, None), role_piece(p, r, wide)] + offsets_pieces(r, wide)
    behind = lag(p, r)
    if wide and behind:
        head.append((f"{behind:,} behind ", WARN, None))
    room = width - sum(len(t) for t, _, _ in head)
    cache = [s.ids() for s in r.segments if not s.durable]
    disk = [s.ids() for s in r.segments if s.durable]
    labels = ("cache ", " disk ") if wide else ("▒", " █")
    if not powered and not ghosts.get("cache"):  # the power loss emptied the cache: say it, then the disk
        note = ("cache empty: no power " if wide else "no power ")
        return head + [(note, ALERT, None)] + tokens_of(labels[1].lstrip(), disk, room - len(note), DISK_AREA,
                                                         ghosts.get("disk", []))
    if not cache and not ghosts.get("cache"):  # nothing volatile: the whole row for the disk (flushed to the end)
        return head + tokens_of(labels[1].lstrip(), disk, room, DISK_AREA, ghosts.get("disk", []))
    cache_room = room if not disk else max(room // 2, min(room, 10))
    left = tokens_of(labels[0], cache, cache_room, CACHE_AREA, ghosts.get("cache", []))
    used = sum(len(t) for t, _, _ in left)
    right = tokens_of(labels[1], disk, room - used, DISK_AREA, ghosts.get("disk", [])) \
        if disk and room - used > 4 else []
    return head + left + right


def lag(p: PartitionView, r: ReplicaView) -> int:
    """How many records a follower's log end is behind its partition's leader (0 while the leader is down)."""
    leader = next((x for x in p.replicas if x.leader), None)
    if leader is None or leader is r or not leader.up:
        return 0
    return max(leader.leo - r.leo, 0)


def broker_rows(snap, broker: str, width: int, tokens_of, ghosts: dict | None = None,
                powered: bool = True) -> list[list[Piece]]:
    """One row per partition the broker holds a copy of, t-0 first; `ghosts` maps a partition's index to
    the records lost from this broker's copy of it ("cache", "disk"), drawn on that partition's row."""
    rows = []
    for p in snap.partitions:
        r = replica_of(p, broker)
        if r is not None:
            rows.append(replica_row(p, r, width, tokens_of, (ghosts or {}).get(p.index), powered))
    return rows or [[("no copy of any partition", LABEL, None)]]


def partition_summary(p: PartitionView, form: int) -> list[Piece]:
    """One partition in the header: its leader, then (fuller forms) its HW, epoch and ISR."""
    leader = ("★" + p.leader.replace("broker-", "b")) if p.leader else "OFFLINE"
    out: list[Piece] = [(f"{p.tp} ", BOLD, None), (leader, BOLD if p.leader else ALERT, None)]
    if form == 0:
        isr = ",".join(n.split("-")[-1] for n in p.isr)
        out.append((f" e{p.leader_epoch} ISR [{isr}]", LABEL, None))
    if form <= 1 and p.leader:  # an offline partition has no high watermark to tell
        out.append((f" HW {p.hw:,}", LABEL, None))
    return out


def header_pieces(snap, width: int) -> list[Piece]:
    """Every partition at a glance on one line, in the fullest form that fits (each row of a broker box
    repeats its replica's HW, so the shortest form names the leaders only)."""
    ctl = [("  controller DOWN", ALERT, None)] if not snap.controller_up else []
    for form in (0, 1, 2):
        out: list[Piece] = []
        for i, p in enumerate(snap.partitions):
            out += ([(" · ", LABEL, None)] if i else []) + partition_summary(p, form)
        out += ctl
        if sum(len(t) for t, _, _ in out) <= width:
            return out
    return out


def title_parts(snap, b, compact: bool) -> list[str]:
    """What a broker box's title says of partitions: the ones it leads ("leads t-0,t-2", or "★0,2")."""
    led = [p for p in snap.partitions if p.leader == b.name]
    if not led:
        return []
    if compact:
        return ["★" + ",".join(str(p.index) for p in led)]
    return ["leads " + ",".join(p.tp for p in led)]
