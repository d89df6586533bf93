"""Draws a Frame on a Canvas: node boxes holding their records, wires, and messages on the move."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable

from rich.style import Style

from tutor.sim.snapshot import BrokerView, DUPLICATED, Message, PROCESSED

from . import draw_group as dgroup
from . import draw_parts as dparts
from .canvas import HEAVY, LIGHT, Canvas, Rect
from .frame import Frame
from .layout import Plan, arrange, is_broker, preferred_height
from .look import BEING_PROCESSED, GHOST, LOST_ACKED, QUEUED, SELECTED, legend, look
from .ghosts import broker_area
from .tokens import PerSnapshot, Token, fit, ghost_tokens, tail_ids, tokens

several_parts = dparts.several
parts_title = dparts.title_parts
DIM = Style(dim=True)
LABEL = Style(color="grey62")
BOLD = Style(bold=True)
ALERT = Style(color="red", bold=True)
WARN = Style(color="yellow", bold=True)
GOOD = Style(color="green")
BORDER = Style(color="grey50")
BORDER_DOWN = Style(color="red", dim=True)
BORDER_SELECTED = Style(color="bright_white", bold=True)
WIRE = Style(color="grey35")
PER_SNAPSHOT = PerSnapshot()  # the records' tokens of the snapshot on screen (drawing is on the UI thread only)
CACHE_AREA = Style(bgcolor="#2a1a30")   # the page cache and the disk are two visibly different areas
DISK_AREA = Style(bgcolor="#142238")
WIRE_CUT = Style(color="red")
#: message kind -> (glyph, style) for messages that carry records
CARRIES = {"produce": ("→", look(2).style), "fetch-response": ("⇉", look(5).style),
           "consumer-fetch-response": ("⇢", look(6).style)}
REPLY = ("↩", Style(color="green", dim=True))
ERROR_REPLY = Style(color="bright_white", bgcolor="red", bold=True)  # an answer carrying an error code
CHATTER = ("·", Style(color="grey50"))

Piece = tuple[str, Style, object]


@dataclass
class Ctx:
    """What every drawing function needs."""

    frame: Frame
    plan: Plan
    cv: Canvas

    @property
    def snap(self):
        """The snapshot being drawn."""
        return self.frame.snap


def pipeline(frame: Frame, width: int, height: int, stills: "Stills | None" = None) -> Canvas:
    """The whole pipeline view for one frame: its still picture (kept in `stills` for the next frames of the
    same snapshot) with the messages on the move drawn over it."""
    plan, still = (stills or Stills()).get(frame, width, height)
    ctx = Ctx(frame, plan, still.layer())
    draw_messages(ctx)
    draw_lost_on_the_way(ctx)
    return ctx.cv


class Stills:
    """The still picture of the last snapshot drawn: the frames between two advances of the run differ only
    in the time on screen, which moves nothing but the messages, so they share it."""

    def __init__(self) -> None:
        self.key: tuple = ()
        self.value: tuple[Plan, Canvas] | None = None

    def get(self, frame: Frame, width: int, height: int) -> tuple[Plan, Canvas]:
        """The plan and the still canvas for this frame at this size (drawn again when anything drawn differs)."""
        key = still_key(frame, width, height)
        if self.value is None or not same_still(key, self.key):
            self.key, self.value = key, still_picture(frame, width, height)
        return self.value


#: what a frame holds that the still picture does not show: the time on screen moves only the messages, and the
#: rest is for the other widgets (any other field, a new one included, draws a new still picture when it changes)
NOT_STILL = frozenset({"t", "horizon", "live", "playing", "speed", "seed", "title", "events", "marks", "fast"})
STILL_FIELDS = tuple(f.name for f in dataclasses.fields(Frame) if f.name not in NOT_STILL | {"snap", "acked"})


def still_key(frame: Frame, width: int, height: int) -> tuple:
    """What the still picture is drawn from: the snapshot and the acked test (compared by identity), the size,
    and every other field of the frame but NOT_STILL (compared by value)."""
    return (frame.snap, frame.acked, width, height) + tuple(getattr(frame, name) for name in STILL_FIELDS)


def same_still(a: tuple, b: tuple) -> bool:
    """Do two still keys draw the same picture?"""
    return len(a) == len(b) and a[0] is b[0] and a[1] is b[1] and a[2:] == b[2:]


def still_picture(frame: Frame, width: int, height: int) -> tuple[Plan, Canvas]:
    """Boxes, records, wires, header and legend: everything but the messages on the move."""
    snap = frame.snap
    plan = arrange(width, height, [b.name for b in snap.brokers], snap.consumer is not None,
                   len(snap.partitions) or 1, dgroup.drawn_members(snap))
    ctx = Ctx(frame, plan, Canvas(width, height))
    draw_wires(ctx)
    draw_producer(ctx)
    for b in snap.brokers:
        draw_broker(ctx, b)
    if snap.consumer is not None and "consumer" in plan.boxes:
        draw_consumer(ctx)
        draw_sink(ctx)
    if "group" in plan.boxes:
        draw_group(ctx)
    draw_header(ctx)
    draw_legend(ctx)
    return plan, ctx.cv


def wanted_height(snap, width: int, avail: int | None = None) -> int:
    """The rows the pipeline wants for this snapshot at this width (brokers, partitions, the group), out
    of `avail` when the screen says how many it has."""
    return preferred_height(width, len(snap.brokers), snap.consumer is not None, len(snap.partitions) or 1,
                            dgroup.drawn_members(snap), avail)


# --- boxes ------------------------------------------------------------------------------------
def open_box(ctx: Ctx, name: str, title: str, border: Style, title_style: Style | None = None) -> Rect:
    """Frame a node's box (or give it a title line when unframed); returns the inner area."""
    r = ctx.plan.boxes[name]
    selected = ctx.frame.selected == name or (ctx.frame.selected == "leader" and name == ctx.snap.leader)
    if selected:
        border = BORDER_SELECTED if border is BORDER else border
        title = title if r.w < 44 else "▶ " + title
    for y in range(r.y, r.bottom):
        ctx.cv.hit(r.x, y, r.w, ("node", name))
    if ctx.plan.framed and r.h >= 3:
        ctx.cv.box(r, title, border, HEAVY if selected else LIGHT, title_style)
        return Rect(r.x + 2, r.y + 1, max(r.w - 4, 0), max(r.h - 2, 0))
    ctx.cv.put(r.x, r.y, title, (title_style or BOLD) + Style(underline=True), limit=r.w - 1)
    return Rect(r.x + 1, r.y + 1, max(r.w - 2, 0), max(r.h - 1, 0))


def write(cv: Canvas, x: int, y: int, w: int, pieces: Iterable[Piece]) -> int:
    """Write pieces left to right within w columns, registering clickable ones; returns columns used."""
    start, end = x, x + w
    for text, style, what in pieces:
        n = cv.put(x, y, text, style, limit=end - x)
        if what is not None and n:
            cv.hit(x, y, n, what)
        x += n
        if x >= end:
            break
    return x - start


def lines(cv: Canvas, inner: Rect, rows: list[list[Piece]]) -> None:
    """Write rows of pieces into a box's inner area, one per line, as many as fit."""
    for i, row in enumerate(rows[: inner.h]):
        write(cv, inner.x, inner.y + i, inner.w, row)


def token_pieces(ctx: Ctx, label: str, ranges: Iterable[range], width: int,
                 ghosts: list[int] = (), glyph: str | None = None, tight: bool = False) -> list[Piece]:
    """A label then the newest tokens that fit (older records counted as "+N"), ghosts last."""
    snap, frame = ctx.snap, ctx.frame
    ids, total = tail_ids(ranges)
    toks = PER_SNAPSHOT.get(snap, ("tokens", glyph, *ids), lambda: tokens(ids, snap.state, frame.acked, glyph))
    toks = toks + ghost_tokens(ghosts, frame.acked)
    prefix, kept = fit(toks, width - len(label), total, tight)
    out: list[Piece] = [(label, LABEL, None)]
    if prefix:
        out.append((prefix + " ", DIM, None))
    if not kept and not prefix:
        out.append(("—", DIM, None))
    for i, tok in enumerate(kept):
        style = tok.style + SELECTED if tok.rid == frame.inspected else tok.style
        out.append((tok.text, style, ("record", tok.rid)))
        if i < len(kept) - 1:
            out.append((" ", LABEL, None))
    return out


# --- producer ---------------------------------------------------------------------------------
def draw_producer(ctx: Ctx) -> None:
    """The application calling send(), its buffer (batches, linger) and requests in flight."""
    p, cfg = ctx.snap.producer, ctx.frame.config["producer"]
    down = not p.up
    mode = f" · {p.app[0]}" if p.app else ""
    title = f"producer app{mode} · acks={cfg['acks']}" + (" · DOWN" if down else "")
    inner = open_box(ctx, "producer", title, BORDER_DOWN if down else BORDER, ALERT if down else BOLD)
    w = inner.w
    buffered = [range(f, f + n) for f, n, _ in p.buffered]
    flying = [range(f, f + n) for f, n, *_ in p.in_flight]
    ghosts = ctx.frame.ghosts.get("producer", [])
    send = _send_pieces(ctx, w)
    if inner.h >= 4:
        rows = [send, token_pieces(ctx, "buffer    ", buffered, w), _linger_pieces(ctx, w),
                token_pieces(ctx, flight_label(p, "in flight"), flying, w, ghosts), _answers(ctx)]
    else:
        rows = [send + [("  ", LABEL, None)] + _linger_pieces(ctx, w - sum(len(t) for t, _, _ in send) - 2),
                token_pieces(ctx, "buf ", buffered, w // 2) + [(" │ ", LABEL, None)]
                + token_pieces(ctx, flight_label(p, "fly"), flying, w - w // 2 - 3, ghosts)]
    lines(ctx.cv, inner, rows)
    if down:
        _dim(ctx.cv, inner)


def flight_label(p, word: str) -> str:
    """"in flight " or, when requests are on their way to another broker than the one the producer now
    believes leads (a failover, a zombie), "in flight→b1 " naming where they really go."""
    dests = sorted({dst for _, _, dst, _ in p.in_flight})
    if not dests or dests == [p.leader]:
        return f"{word} "
    return f"{word}→{','.join(short(d) for d in dests)} "


def short(node: str) -> str:
    """"broker-2" -> "b2"."""
    return node.replace("broker-", "b")


def _send_pieces(ctx: Ctx, width: int = 80) -> list[Piece]:
    """send() progress, a warning while send() blocks on a full buffer, and the application's own state."""
    p = ctx.snap.producer
    out: list[Piece] = [("send() ", LABEL, None), (f"{p.sent:,}", BOLD, None), (f" of {p.total:,}", LABEL, None)]
    mode = p.app[0] if p.app else ""
    if p.blocked:
        words = {"spool": "  buf full", "unbounded": "  buf full"}
        out.append((words.get(mode, "  BLOCKED: buffer full"), WARN, None))
    if p.app:
        out.append(_app_piece(p.app, width - sum(len(text) for text, _, _ in out)))
    return out


def _app_piece(app: tuple, width: int) -> Piece:
    """The application's own state in the fullest words that fit: its window, its spool file (length,
    synced to disk, not yet done), or its own queue against its memory."""
    if app[0] == "window":
        _, used, limit = app
        return (wording(width, f"  window {used}/{limit}", f" win {used}/{limit}"),
                WARN if used >= limit else BOLD, None)
    if app[0] == "spool":
        _, length, synced, unread, waiting = app
        more = f" · {unread:,} unread" if unread else ""
        text = wording(width, f"  spool {length:,} synced {synced:,} · {waiting:,} open{more}",
                       f"  spool {length:,} synced {synced:,} · {waiting:,} open",
                       f"  spool {length:,} synced {synced:,}", f" spool {length:,}/{synced:,}")
        return (text, BOLD if synced == length else WARN, None)
    _, held, limit = app
    text = wording(width, f"  own queue {_bytes(held)} of {_bytes(limit)}", f"  queue {_bytes(held)}/{_bytes(limit)}",
                   f" q {_bytes(held)}/{_bytes(limit)}")
    return (text, WARN if held > limit // 2 else BOLD, None)


def _linger_pieces(ctx: Ctx, width: int = 80) -> list[Piece]:
    """How long the oldest batch still lingers, and how full the buffer is."""
    p, t = ctx.snap.producer, ctx.snap.t
    out: list[Piece] = [("linger ", LABEL, None)]
    if p.buffered:
        left = max(0.0, p.buffered[0][2] + p.linger_ms - t)
        out.append((f"◔ {left:.1f} ms left" if left else "◕ ready", BOLD, None))
    else:
        out.append((f"{p.linger_ms:g} ms", DIM, None))
    if p.buffer_bytes:
        used = sum(len(text) for text, _, _ in out)
        mem = f"{_bytes(p.used_bytes)}/{_bytes(p.buffer_bytes)}"
        out.append((wording(width - used, f"  mem {mem}", f"  {mem}", ""), LABEL, None))
    return out


def _answers(ctx: Ctx) -> list[Piece]:
    """What the application has been told so far."""
    lo, f = ctx.frame.losses, ctx.frame
    waiting = lo.sent - lo.acked - lo.failed
    return [("acked ", LABEL, None), (f.figure("acked", lo.acked), GOOD, None),
            (" · failed ", LABEL, None), (f.figure("acked", lo.failed), WARN if lo.failed else LABEL, None),
            (" · open ", LABEL, None), (f.figure("acked", waiting), LABEL, None)]


def _bytes(n: int) -> str:
    """1536 -> "1.5 kB"."""
    for unit, size in (("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} B"


def _dim(cv: Canvas, r: Rect) -> None:
    """Grey out a stopped node's contents."""
    for y in range(r.y, r.bottom):
        cv.restyle(r.x, y, r.w, DIM)


# --- brokers ----------------------------------------------------------------------------------
def broker_title(ctx: Ctx, b: BrokerView, compact: bool) -> tuple[str, Style]:
    """"broker-1 · ★ LEADER e3 · in ISR" and friends (shorter in narrow boxes); red when it is down."""
    parts, style = [b.name], BOLD
    if not b.up:  # first, so a narrow title keeps it
        parts.append("DOWN" + (f" ({b.down_kind})" if b.down_kind and not compact else ""))
        style = ALERT
    if several_parts(ctx.snap):  # each partition's row says the replica's role; the title what it leads
        parts += parts_title(ctx.snap, b, compact)
    elif b.leader:
        parts.append("★LEADER" if compact else f"★ LEADER e{ctx.snap.leader_epoch}")
    elif b.zombie:
        parts.append("ZOMBIE" if compact else "ZOMBIE (thinks it leads)")
        style = ALERT
    elif b.replica and not compact:
        parts.append("follower")
    elif not b.replica and not several_parts(ctx.snap):
        parts.append("no replica")
    if b.replica and not several_parts(ctx.snap) and not (compact and b.leader and b.in_isr):  # keeps ★LEADER
        parts.append(("ISR" if compact else "in ISR") if b.in_isr else ("¬ISR" if compact else "OUT of ISR"))
    slow = ctx.snap.slow.get(b.name)
    if slow:
        parts.append("slow" if compact else f"slow +{slow:g} ms")
    if any(b.name in pair and "controller" in pair for pair in ctx.snap.cut_links):
        parts.append("✂ctl" if compact else "✂ controller")
    room = ctx.plan.boxes[b.name].w - 4 if b.name in ctx.plan.boxes else 80
    if compact and len(" ".join(parts)) > room and not several_parts(ctx.snap):  # the star alone says who leads
        parts = ["★" if p == "★LEADER" else p for p in parts if p not in ("ISR", "¬ISR")] + \
            (["¬ISR"] if b.replica and not b.in_isr else [])
    return (" " if compact else " · ").join(parts), style


def draw_broker(ctx: Ctx, b: BrokerView) -> None:
    """A broker: its page cache (volatile) and its disk (durable), log end, HW and flush point."""
    compact = ctx.plan.boxes[b.name].w < 44
    title, style = broker_title(ctx, b, compact)
    border = BORDER_DOWN if not b.up else BORDER
    inner = open_box(ctx, b.name, title, border, style)
    cache = [s.ids() for s in b.segments if not s.durable]
    disk = [s.ids() for s in b.segments if s.durable]
    ghosts = ctx.frame.ghosts
    rows = [token_pieces(ctx, "cache ▒ ", cache, inner.w, ghosts.get(f"{b.name}/cache", [])),
            token_pieces(ctx, "disk  █ ", disk, inner.w, ghosts.get(f"{b.name}/disk", [])),
            _offsets(b, compact, inner.w), _lag(ctx, b)]
    if several_parts(ctx.snap):  # one row per partition instead of one partition's four rows
        lost = {p.index: {w: ghosts.get(broker_area(b.name, w, p.index), []) for w in ("cache", "disk")}
                for p in ctx.snap.partitions}
        key = ("parts", b.name, inner.w, tuple((i, tuple(g["cache"]), tuple(g["disk"])) for i, g in lost.items()),
               ctx.frame.inspected)
        rows = PER_SNAPSHOT.get(ctx.snap, key, lambda: dparts.broker_rows(  # the rows change with the snapshot only
            ctx.snap, b.name, inner.w, lambda *a: _area_tokens(ctx, *a), lost, powered=b.host_on))
        lines(ctx.cv, inner, rows)
        if not b.up:
            _dim(ctx.cv, inner)
        return
    if not b.replica:  # beyond replication.factor: it answers metadata, it holds no copy of t-0
        rf = ctx.frame.config["topic"]["replication.factor"]
        rows = [[("no copy of t-0 ", LABEL, None), (f"(RF={rf})", BOLD, None)],
                [("answers metadata only", LABEL, None)]]
    elif not b.host_on:  # a power loss empties the page cache: only the ghosts of what it held remain
        lost_here = ghosts.get(f"{b.name}/cache", [])
        rows[0] = token_pieces(ctx, "cache ▒ ", [], inner.w, lost_here) if lost_here else \
            [("cache ▒ ", LABEL, None), (wording(inner.w - 8, "empty: no power", "no power", "empty"),
                                         ALERT, None)]
    if not ctx.plan.framed:
        rows = rows[:2]
    lines(ctx.cv, inner, rows)
    if b.replica:
        ctx.cv.restyle(inner.x, inner.y, inner.w, CACHE_AREA, under=True)
        ctx.cv.restyle(inner.x, inner.y + 1, inner.w, DISK_AREA, under=True)
    if not b.up:
        _dim(ctx.cv, Rect(inner.x, inner.y + 1, inner.w, max(inner.h - 1, 0)))


def _area_tokens(ctx: Ctx, label: str, ranges: list[range], width: int, area: Style,
                 ghosts: list[int]) -> list[Piece]:
    """token_pieces with the records on the background of their area (page cache or disk)."""
    out = token_pieces(ctx, label, ranges, width, ghosts, tight=True)
    return [(t, s + area if what is not None else s, what) for t, s, what in out]


def _offsets(b: BrokerView, compact: bool, width: int = 80) -> list[Piece]:
    """Log end, high watermark and flush point as offsets (words shorten, never to symbols, when narrow)."""
    figures = len(f"LEO {b.leo:,} HW {b.hw:,}{b.flushed:,}")
    disk = next((w for w in ("  on disk below ", " on disk ") if figures + len(w) <= width and
                 (not compact or w == " on disk ")), " disk ")
    out = [("LEO ", LABEL, None), (f"{b.leo:,}", BOLD, None), (" HW ", LABEL, None), (f"{b.hw:,}", BOLD, None),
           (disk, LABEL, None), (f"{b.flushed:,}", BOLD, None)]
    if b.unflushed and not compact:
        out.append((f"  ({b.unflushed:,} volatile)", look(3).style, None))
    return out


def _lag(ctx: Ctx, b: BrokerView) -> list[Piece]:
    """How far a replica's log end is from the leader's (a wide box's last line)."""
    leader = ctx.snap.broker(ctx.snap.leader) if ctx.snap.leader else None
    if leader is None or not b.replica or (not leader.up and b.name != leader.name):
        return []  # no lag to tell while the leader is down
    if b.name == leader.name:
        isr = ",".join(n.split("-")[-1] for n in ctx.snap.isr)
        return [(f"ISR [{isr}]", BOLD, None),
                (f"  min.insync {ctx.frame.config['topic']['min.insync.replicas']}", LABEL, None)]
    behind = leader.leo - b.leo
    words = f"{behind:,} record{'s' if behind > 1 else ''} behind the leader"
    return [(words if behind > 0 else "caught up with the leader",
             WARN if behind > 0 else LABEL, None)]


def draw_header(ctx: Ctx) -> None:
    """The partition at a glance: leader, epoch, ISR, HW, controller (wide layout only)."""
    r = ctx.plan.header
    if r is None:
        return
    snap = ctx.snap
    if several_parts(snap):
        write(ctx.cv, r.x, r.y, r.w, dparts.header_pieces(snap, r.w))
        return
    leader = snap.broker(snap.leader) if snap.leader else None
    isr = ",".join(n.split("-")[-1] for n in snap.isr)
    hw = [(f" HW {leader.hw:,}", BOLD, None)] if leader is not None else []
    ctl = [("  controller DOWN", ALERT, None)] if not snap.controller_up else []
    name = [(snap.leader or "NONE (offline)", BOLD if snap.leader else ALERT, None)]
    forms = ([("t-0 ", BOLD, None), ("leader ", LABEL, None)] + name +
             [(f" · epoch {snap.leader_epoch} · ISR [{isr}]", BOLD, None)] + hw + ctl,
             [("t-0 ", BOLD, None), ("leader ", LABEL, None)] + name +
             [(f" e{snap.leader_epoch} ISR [{isr}]", BOLD, None)] + hw + ctl,
             [("leader ", LABEL, None)] + name + [(f" ISR [{isr}]", BOLD, None)] + hw + ctl)
    pieces = next((f for f in forms if sum(len(p[0]) for p in f) <= r.w), forms[-1])  # the HW stays
    write(ctx.cv, r.x, r.y, r.w, pieces)


# --- consumer and sink ------------------------------------------------------------------------
def draw_consumer(ctx: Ctx) -> None:
    """The consumer: position, the record in hand, what waits, the committed offset, how it commits."""
    c, cfg = ctx.snap.consumer, ctx.frame.config["consumer"]
    name = "consumer-1" if "group" in ctx.plan.boxes else "consumer"  # the group's first member
    title = f"{name} · {c.state}" if c.up else f"{name} · DOWN"  # a stopped consumer's state is "down"
    inner = open_box(ctx, "consumer", title, BORDER if c.up else BORDER_DOWN, BOLD if c.up else ALERT)
    w = inner.w
    rows = [_positions(ctx, w), _in_hand(ctx, w),
            [(wording(w, f"group {cfg.get('group.id', '')} · {_commit_words(cfg)}", _commit_words(cfg),
                  _commit_words(cfg, short=True)), LABEL, None)],
            [(wording(w, f"{cfg['processing.mode']} · {cfg['processing.ms']:g} ms per record · {cfg['client']}",
                  f"{cfg['processing.mode']} · {cfg['processing.ms']:g} ms/record · {cfg['client']}",
                  f"{cfg['processing.mode']} · {cfg['processing.ms']:g} ms each · {cfg['client']}",
                  f"{cfg['processing.mode']} · {cfg['processing.ms']:g} ms/record"), LABEL, None)]]
    if inner.h < 4:
        rows = rows[:2] if inner.h == 2 else rows[:3]
    elif several_parts(ctx.snap) and c.partitions and (table := _partition_offsets(
            _consumer_parts(ctx), w, _names(ctx), ctx.frame.offsets_hidden)):
        rows = table + rows[1:2]  # a table fits
    lines(ctx.cv, inner, rows)
    if not c.up:
        _dim(ctx.cv, inner)


def draw_group(ctx: Ctx) -> None:
    """The consumer group: generation, coordinator, and each member's partitions, offsets and poll time."""
    group = dgroup.group_of(ctx.snap)
    r = ctx.plan.boxes["group"]
    title, style = dgroup.title(group, r.w - 6)
    inner = open_box(ctx, "group", title, WARN if group.rebalancing else BORDER, style)
    lines(ctx.cv, inner, dgroup.box_rows(group, ctx.snap.t, inner.w, inner.h, ctx.frame.member,
                                         ctx.frame.offsets_hidden))
    if ctx.plan.framed and r.h >= 3:  # the offsets' key, on the bottom border
        ctx.cv.put(r.x + 2, r.bottom - 1, wording(r.w - 4, " t-N position/committed offset ",
                                                 " position/committed ", ""), LABEL)


def wording(width: int, *forms: str) -> str:
    """The first (fullest) wording that fits the width, else the shortest."""
    return next((f for f in forms if len(f) <= width), forms[-1])


def _positions(ctx: Ctx, width: int = 80) -> list[Piece]:
    """Position (next offset to fetch) and the group's committed offset (named apart from the log's
    committed records, which are the ones below the HW)."""
    c = ctx.snap.consumer
    if several_parts(ctx.snap) and c.partitions:  # position / group's committed offset, per partition
        forms = [(label, sep) for label in ("position/committed ", "pos/committed ") for sep in (" · ", " ")]
        for label, sep in forms:  # the words go before a partition does
            body = dgroup.offset_pieces(_consumer_parts(ctx), width - len(label), sep, _names(ctx),
                                        ctx.frame.offsets_hidden)
            if not body or not body[-1][0].startswith(" +"):
                break
        return [(label, LABEL, None)] + body
    show = (lambda v: "?") if ctx.frame.offsets_hidden else (lambda v: "—" if v is None else f"{v:,}")
    pos, off = show(c.position), show(c.committed)
    label = wording(width - len(pos) - len(off) - len("position "), "  group's committed offset ",
                "  committed offset ", "  committed ")  # the legend calls the log's sense "below HW"
    return [("position ", LABEL, None), (pos, BOLD, None), (label, LABEL, None), (off, BOLD, None)]


def _consumer_parts(ctx: Ctx) -> list[tuple[int, int | None, int | None]]:
    """The consumer box's (partition, position, committed) rows: every partition, or, where the group's
    box is drawn (the box is then consumer-1's), only those assigned to the first member."""
    items = list(ctx.snap.consumer.partitions)
    group = dgroup.group_of(ctx.snap)
    if "group" in ctx.plan.boxes and group is not None and group.members:
        mine = set(group.members[0].assigned)
        items = [x for x in items if x[0] in mine]
    return items


def _names(ctx: Ctx) -> tuple[str, ...]:
    """Every partition's name by index ("t-0", "bar-1"), from the snapshot's partitions."""
    return tuple(p.tp for p in ctx.snap.partitions)


def _partition_offsets(items: list[tuple[int, int | None, int | None]], width: int,
                       names: tuple[str, ...] = (), hide: bool = False) -> list[list[Piece]] | None:
    """A small table: a column per partition, a row for the position and one for the group's committed
    offset (None when there are none, or the columns do not fit the width); "?" for each with `hide`."""
    show = (lambda v: "?") if hide else (lambda v: "—" if v is None else f"{v:,}")
    cells = [(dgroup.tp_label(p, names), show(pos), show(com)) for p, pos, com in items]
    if not cells:
        return None
    col = max(len(x) for cell in cells for x in cell) + 2
    if 10 + col * len(cells) > width:
        return None
    out = []
    for label, at, style in (("", 0, LABEL), ("position  ", 1, BOLD), ("committed ", 2, BOLD)):
        out.append([(f"{label:<10}", LABEL, None)] + [(f"{cell[at]:<{col}}", style, None) for cell in cells])
    return out


def _in_hand(ctx: Ctx, width: int) -> list[Piece]:
    """The record being processed and the ones handed over and waiting (ghosts of lost ones too)."""
    c = ctx.snap.consumer
    out: list[Piece] = [("in hand ", LABEL, None)]
    if c.processing:
        rid = c.processing[0]
        out.append((f"{BEING_PROCESSED.glyph}{rid}", BEING_PROCESSED.style, ("record", rid)))
    for rid in c.queued[: max(0, (width - 16) // 6)]:
        out += [(" ", LABEL, None), (f"{QUEUED.glyph}{rid}", QUEUED.style, ("record", rid))]
    if len(c.queued) > max(0, (width - 16) // 6):
        out.append((f" +{len(c.queued) - (width - 16) // 6}", DIM, None))
    if not c.processing and not c.queued:
        out.append(("—", DIM, None))
    for tok in ghost_tokens(ctx.frame.ghosts.get("consumer", []), ctx.frame.acked):
        out += [(" ", LABEL, None), (tok.text, tok.style, ("record", tok.rid))]
    return out


def _commit_words(cfg: dict, short: bool = False) -> str:
    """How this consumer commits, in its own settings' words (short: fewer of them)."""
    mode = cfg["commit.mode"]
    if mode == "auto":
        if not cfg["enable.auto.commit"]:
            return "auto-commit OFF"
        every = f"{cfg['auto.commit.interval.ms']:,} ms"
        return f"auto-commit every {every}" if short else f"auto-commit on, every {every}"
    return "commits " + mode.replace("-", " ")


def draw_sink(ctx: Ctx) -> None:
    """Where processed records end up, with the newest ones and the duplicates."""
    lo = ctx.frame.losses
    inner = open_box(ctx, "sink", "processed (sink)", BORDER, BOLD)
    recent = recent_processed(ctx, 200)
    rows = [token_pieces(ctx, "", [range(r, r + 1) for r in recent], inner.w)[1:],
            [(f"✓ {lo.processed:,} processed", GOOD, None),
             (f" · ‡ {ctx.frame.figure('duplicates', lo.duplicated)} twice",
              look(DUPLICATED).style if lo.duplicated else LABEL, None)]]
    if rows[0] and rows[0][0][0].startswith("+"):
        rows[0] = rows[0][1:]  # the count line below says how many
    lines(ctx.cv, inner, rows)


def recent_processed(ctx: Ctx, scan: int) -> list[int]:
    """The newest processed ids: just below the record in the consumer's hands (bounded work per frame)."""
    return PER_SNAPSHOT.get(ctx.snap, ("recent", scan), lambda: _recent_processed(ctx.snap, scan))


def _recent_processed(snap, scan: int) -> list[int]:
    """recent_processed, worked out."""
    c = snap.consumer
    held = ([c.processing[0]] if c.processing else []) + list(c.queued)
    top = min(held) if held else snap.counts["sent"]
    for end in range(top, 0, -scan):  # step back until some processed record shows up
        found = [r for r in range(max(0, end - scan), end) if snap.state(r) in (PROCESSED, DUPLICATED)]
        if found or top - end > 20 * scan:
            return found
    return []


def draw_legend(ctx: Ctx) -> None:
    """What the glyphs mean, when there is room."""
    r = ctx.plan.legend
    if r is None:
        return
    items = legend()
    if ctx.plan.mode == "rows":
        units = [[(glyph, style, None), (f" {label.split(' (')[0]}  ", LABEL, None)] for glyph, label, style in items]
        _flow(ctx.cv, r, units)
        return
    inner = open_box_plain(ctx.cv, r, "legend")
    rows = [[(f"{g} ", s, None), (label, LABEL, None)] for g, label, s in items]
    rows += [[("✗", LOST_ACKED, None), (" lost although acked", LABEL, None)],
             [("42", Style(underline=True), None), (" underlined: acked", LABEL, None)]]
    lines(ctx.cv, inner, rows)


def open_box_plain(cv: Canvas, r: Rect, title: str) -> Rect:
    """A light box that is not a node."""
    cv.box(r, title, BORDER, LIGHT, LABEL)
    return Rect(r.x + 2, r.y + 1, r.w - 4, r.h - 2)


def _flow(cv: Canvas, r: Rect, units: list[list[Piece]]) -> None:
    """Write units of pieces across rows, wrapping between units (a glyph stays with its label)."""
    x, y = r.x, r.y
    for unit in units:
        if x + sum(len(text) for text, _, _ in unit) > r.right:
            x, y = r.x, y + 1
        if y >= r.bottom:
            return
        for text, style, _ in unit:
            x += cv.put(x, y, text, style)


# --- wires and messages -----------------------------------------------------------------------
def _cut(snap, a: str, b: str) -> bool:
    """Is the link between a and b cut?"""
    return (a, b) in snap.cut_links or (b, a) in snap.cut_links


def wires(snap) -> list[tuple[str, str]]:
    """The links worth drawing: producer to the broker it sends to, leader to replicas and consumer."""
    if several_parts(snap):
        return _partition_wires(snap)
    out = []
    if snap.producer.leader:
        out.append(("producer", snap.producer.leader))
    for dst in sorted({d for _, _, d, _ in snap.producer.in_flight} - {snap.producer.leader}):
        if dst.startswith("broker-"):  # requests still on their way to where the producer sent them
            out.append(("producer", dst))
    leader = snap.leader
    if leader:
        out += [(leader, b.name) for b in snap.brokers if b.replica and b.name != leader]
        if snap.consumer is not None:
            out.append((leader, "consumer"))
    for a, b in snap.cut_links:  # a cut link is always shown, where both ends are drawn
        if (a, b) not in out and (b, a) not in out:
            out.append((a, b))
    return out


def _partition_wires(snap) -> list[tuple[str, str]]:
    """With several partitions: the producer and the consumer to every leader, each leader to its followers."""
    out: list[tuple[str, str]] = []
    for p in snap.partitions:
        if p.leader is None:
            continue
        ends = [("producer", p.leader)] + [(p.leader, r.name) for r in p.replicas if r.name != p.leader]
        if snap.consumer is not None:
            ends.append((p.leader, "consumer"))
        out += [e for e in ends if e not in out and e[::-1] not in out]
    for dst in sorted({d for _, _, d, _ in snap.producer.in_flight}):
        if dst.startswith("broker-") and ("producer", dst) not in out:
            out.append(("producer", dst))
    for a, b in snap.cut_links:
        if (a, b) not in out and (b, a) not in out:
            out.append((a, b))
    return out


def draw_wires(ctx: Ctx) -> None:
    """Faint wires along message paths; a cut link is red with ✂ in its middle."""
    for a, b in wires(ctx.snap):
        path = [p for p in ctx.plan.path(a, b) if not _inside_box(ctx.plan, p)]
        if not path:
            continue
        cut = _cut(ctx.snap, a, b)
        for i, (x, y) in enumerate(path):
            ctx.cv.put(x, y, _wire_glyph(path, i, cut), WIRE_CUT if cut else WIRE)
        if cut:
            x, y = path[len(path) // 2]
            ctx.cv.put(x, y, "✂", ALERT)


def _wire_glyph(path: list[tuple[int, int]], i: int, cut: bool) -> str:
    """A dashed horizontal or vertical piece, by the direction the path takes here."""
    x, y = path[i]
    vertical = any(0 <= j < len(path) and path[j][0] == x and path[j][1] != y for j in (i - 1, i + 1))
    if vertical:
        return "╎" if cut else "┆"
    return "╌" if cut else "┄"


def _inside_box(plan: Plan, p: tuple[int, int]) -> bool:
    """Is a cell inside some box (so wires do not overwrite borders)?"""
    x, y = p
    return any(r.x <= x < r.right and r.y <= y < r.bottom for r in plan.boxes.values())


def message_label(m: Message) -> tuple[str, Style]:
    """A message's token: the records it carries, a small mark for requests and replies, ✗ for an error."""
    if isinstance(m.error, str):  # error codes are names; the snapshot can hand other values for a produce answer
        return "✗", ERROR_REPLY
    if m.count and m.kind in CARRIES:
        glyph, style = CARRIES[m.kind]
        last = m.ids()[-1] if m.ranges else m.first_id + m.count - 1  # batches need not be consecutive
        return (f"{glyph}{m.first_id}" if m.count == 1 else f"{glyph}{m.first_id}‥{last}"), style
    if m.kind == "produce-response":
        return REPLY
    return CHATTER


def draw_messages(ctx: Ctx) -> None:
    """Every message between drawn nodes, at its interpolated place between send and arrival."""
    t = ctx.frame.t
    for m in ctx.snap.messages:
        path = ctx.plan.path(m.src, m.dst)
        if not path:
            continue
        span = m.arrives_at - m.sent_at
        f = 1.0 if span <= 0 else min(max((t - m.sent_at) / span, 0.0), 1.0)
        x, y = path[round(f * (len(path) - 1))]
        text, style = message_label(m)
        lo, hi = ctx.plan.lane_of(m.src, m.dst)
        x0 = min(max(x - len(text) // 2, lo), max(hi - len(text), lo))
        n = ctx.cv.put(x0, y, text, style, limit=hi - x0)
        if m.count:
            ctx.cv.hit(x0, y, n, ("record", m.ids()[-1] if m.ranges else m.first_id + m.count - 1))


def draw_lost_on_the_way(ctx: Ctx) -> None:
    """Records whose request reached a broker that was down stay drawn at the end of the wire to it."""
    for area, ids in ctx.frame.ghosts.items():
        if not area.startswith("wire:"):
            continue
        path = ctx.plan.path("producer", area[len("wire:"):])
        if not path:
            continue
        x, y = path[round(0.8 * (len(path) - 1))]
        acked = any(ctx.frame.acked(r) for r in ids)
        text = f"✗{ids[0]}" if len(ids) == 1 else f"✗{ids[0]}‥{ids[-1]}"
        lo, hi = ctx.plan.lane_of("producer", area[len("wire:"):])
        x0 = min(max(x - len(text) // 2, lo), max(hi - len(text), lo))
        n = ctx.cv.put(x0, y, text, LOST_ACKED if acked else GHOST, limit=hi - x0)
        ctx.cv.hit(x0, y, n, ("record", ids[-1]))
