"""Where things go on the pipeline canvas: boxes per node, lanes between them, and message paths."""

from __future__ import annotations

from dataclasses import dataclass, field

from .canvas import Rect

WIDE_MIN_WIDTH = 110   # from this width stages run left to right; below, they stack top to bottom
WIDE_MIN_HEIGHT = 18
GROUP_ONE_LINE = 60    # from this inner width a group member takes one line, below it two

Point = tuple[int, int]


@dataclass
class Plan:
    """Boxes by node name, lane regions, and the drawing mode."""

    width: int
    height: int
    mode: str                                     # "columns" | "rows"
    boxes: dict[str, Rect] = field(default_factory=dict)
    framed: bool = True                           # boxes have borders (off when space is short)
    header: Rect | None = None                    # the partition's one-line summary (columns mode)
    legend: Rect | None = None                    # glyph legend, when there is room

    def path(self, src: str, dst: str) -> list[Point]:
        """The cells a message from src to dst passes, in order (empty if either is not drawn); a group
        member's messages go to the consumer box, or to the group's box where that stands in for it."""
        src, dst = self.drawn_as(src), self.drawn_as(dst)
        if src not in self.boxes or dst not in self.boxes:
            return []
        points = (_columns_route if self.mode == "columns" else _rows_route)(self, src, dst)
        return _cells(points)

    def drawn_as(self, node: str) -> str:
        """The box that stands for a node: the first member is the consumer box, the other members the
        group's box (each falls back on the other where only one is drawn)."""
        if node in self.boxes or not node.startswith("consumer"):
            return node
        first = node in ("consumer", "consumer-1")
        if "group" in self.boxes and (not first or "consumer" not in self.boxes):
            return "group"
        return "consumer"

    def lane_of(self, src: str, dst: str) -> tuple[int, int]:
        """The columns a message label may use, so it stays in the lane between the boxes."""
        brokers = [r for n, r in self.boxes.items() if is_broker(n)]
        if self.mode == "rows" or not brokers:
            return 0, self.width
        if "producer" in (src, dst):
            return self.boxes["producer"].right, brokers[0].x
        right = self.boxes["consumer"].x if "consumer" in self.boxes else \
            self.boxes["group"].x if "group" in self.boxes else self.width
        return brokers[0].right, right


def _cells(points: list[Point]) -> list[Point]:
    """Every cell along straight segments between waypoints."""
    out: list[Point] = []
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        steps = max(abs(x1 - x0), abs(y1 - y0))
        for i in range(steps):
            out.append((x0 + (x1 - x0) * i // steps, y0 + (y1 - y0) * i // steps))
    if points:
        out.append(points[-1])
    return out


def is_broker(name: str) -> bool:
    """broker-N boxes."""
    return name.startswith("broker-")


# --- columns: producer | brokers | consumer, left to right ----------------------------------
def group_height(members: int, width: int) -> int:
    """Rows the group's box wants, frame included: a header, then one line per member (two when narrow)."""
    return 3 + members * (1 if width - 4 >= GROUP_ONE_LINE else 2)


def columns(width: int, height: int, brokers: list[str], consumer: bool, partitions: int = 1,
            members: int = 0) -> Plan:
    """Stages left to right; brokers stacked in the middle column; lanes between the columns."""
    plan = Plan(width, height, "columns")
    wp = _clamp(width * 0.25, 34, 44)
    wc = _clamp(width * 0.23, 34, 42)
    lane = _clamp(width * 0.07, 8, 14)
    wb = width - wp - wc - 2 * lane
    bx = wp + lane
    plan.header = Rect(bx, 0, wb, 1)
    hb = _broker_height(height - 1, len(brokers), partitions)
    plan.framed = hb >= 5
    for i, name in enumerate(brokers):
        plan.boxes[name] = Rect(bx, 1 + i * hb, wb, hb)
    plan.boxes["producer"] = Rect(0, 0, wp, min(7, height))
    cx = bx + wb + lane
    if consumer:
        plan.boxes["consumer"] = Rect(cx, 0, wc, min(6, height))
        plan.boxes["sink"] = Rect(cx, min(6, height), wc, min(5, max(height - 6, 0)))
    if members and height > 14:  # under the sink, as tall as the members need and the canvas allows
        plan.boxes["group"] = Rect(cx, 11, wc, min(group_height(members, wc), height - 11))
    legend_y = plan.boxes["producer"].bottom + 1
    if height - legend_y >= 8:
        plan.legend = Rect(0, legend_y, wp, min(14, height - legend_y))
    return plan


def _broker_height(avail: int, n: int, partitions: int = 1) -> int:
    """Each broker box's height: 5-6 rows when framed (or one row per partition and the frame), 3 when
    short of room."""
    h = avail // max(n, 1)
    return max(min(h, max(6, partitions + 2)), 3) if h >= 5 else max(h, 2)


def _columns_route(plan: Plan, src: str, dst: str) -> list[Point]:
    """Manhattan waypoints through the lane left of the brokers (producer) or right of them."""
    a, b = plan.boxes[src], plan.boxes[dst]
    if src == "producer" or dst == "producer":
        p, k = (a, b) if src == "producer" else (b, a)
        lane_x = (p.right + k.x) // 2
        pts = [(p.right, p.mid_y), (lane_x, p.mid_y), (lane_x, k.mid_y), (k.x - 1, k.mid_y)]
        return pts if src == "producer" else pts[::-1]
    broker_right = min(r.right for n, r in plan.boxes.items() if is_broker(n))
    lane_x = broker_right + (2 if is_broker(src) and is_broker(dst) else 5)
    return [(a.right if is_broker(src) else a.x - 1, a.mid_y), (lane_x, a.mid_y), (lane_x, b.mid_y),
            (b.right if is_broker(dst) else b.x - 1, b.mid_y)]


# --- rows: producer / brokers / consumer, top to bottom --------------------------------------
def rows(width: int, height: int, brokers: list[str], consumer: bool, partitions: int = 1,
         members: int = 0) -> Plan:
    """Stages stacked; brokers side by side; one lane row above and one below the brokers."""
    plan = Plan(width, height, "rows")
    framed = height >= 15
    plan.framed = framed
    hp, hb, hc = (4, max(5, partitions + 2), 4) if framed else (3, max(3, partitions + 1), 3)
    wp = width if width < 100 else int(width * 0.6)
    plan.boxes["producer"] = Rect(0, 0, wp, hp)
    if wp < width and width - wp >= 30:
        plan.legend = Rect(wp, 0, width - wp, hp)
    by = hp + 1
    n = max(len(brokers), 1)
    bw = width // n
    for i, name in enumerate(brokers):
        plan.boxes[name] = Rect(i * bw, by, bw if i < n - 1 else width - i * bw, hb)
    cy = by + hb + 1
    hg = group_height(members, width) if members and framed else 0
    if hg and height - cy < hc + hg:  # short of rows: the group's box takes the consumer's place
        plan.boxes["group"] = Rect(0, cy, width, min(hg, max(height - cy, 0)))
        return plan
    if consumer:
        wc = int(width * 0.6)
        plan.boxes["consumer"] = Rect(0, cy, wc, min(hc, max(height - cy, 0)))
        plan.boxes["sink"] = Rect(wc, cy, width - wc, min(hc, max(height - cy, 0)))
    if hg:
        plan.boxes["group"] = Rect(0, cy + hc, width, hg)
    return plan


def _rows_route(plan: Plan, src: str, dst: str) -> list[Point]:
    """Along the lane row above the brokers (producer) or below them (replication, consumer)."""
    a, b = plan.boxes[src], plan.boxes[dst]
    if src == "producer" or dst == "producer":
        p, k = (a, b) if src == "producer" else (b, a)
        y = p.bottom
        pts = [(p.x + 2, y), (k.mid_x, y)]
        return pts if src == "producer" else pts[::-1]
    y = max(r.bottom for n, r in plan.boxes.items() if is_broker(n))
    return [(a.mid_x, y), (b.mid_x, y)]


def _clamp(v: float, lo: int, hi: int) -> int:
    """v rounded and kept within lo..hi."""
    return int(max(lo, min(hi, round(v))))


def arrange(width: int, height: int, brokers: list[str], consumer: bool, partitions: int = 1,
            members: int = 0) -> Plan:
    """The plan for a canvas size: columns when wide enough, rows otherwise (`members`: the consumer
    group's, 0 without a group box)."""
    if width >= WIDE_MIN_WIDTH and height >= WIDE_MIN_HEIGHT:
        return columns(width, height, brokers, consumer, partitions, members)
    return rows(width, height, brokers, consumer, partitions, members)


def preferred_height(width: int, brokers: int, consumer: bool, partitions: int = 1, members: int = 0,
                     avail: int | None = None) -> int:
    """How many rows the pipeline wants at this width (it copes with fewer): a broker box grows by a
    row for each partition beyond three, and a group's box needs its members' lines (`avail`: the rows
    the screen can give; stacked, short of them, the group's box takes the consumer's place)."""
    extra = max(partitions - 3, 0)
    if width >= WIDE_MIN_WIDTH:
        wc = _clamp(width * 0.23, 34, 42)
        group = 11 + group_height(members, wc) if members else 0
        return max(1 + (6 + extra) * brokers, 7 + 1 + 15, 11 if consumer else 0, group)
    stacked = (16 if consumer else 11) + extra + (group_height(members, width) if members else 0)
    if members and avail is not None and avail < stacked:
        return 11 + extra + group_height(members, width)
    return stacked
