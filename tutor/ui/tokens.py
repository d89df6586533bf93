"""Records as tokens: runs of ids that look alike, cut to the most recent ones that fit a width."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from rich.style import Style

from .look import ACKED, GHOST, LOST_ACKED, look
from tutor.sim.snapshot import LOST

RUN_MIN = 3          # this many alike records or more are drawn as one range "≡41‥50"
TAIL = 240           # at most this many recent ids of an area are looked at per frame


@dataclass(frozen=True)
class Token:
    """One drawn token: its text, style, the record a click on it opens and how many records it stands for."""

    text: str
    style: Style
    rid: int | None
    n: int = 1
    ghost: bool = False


class PerSnapshot:
    """Results worked out from one snapshot, kept while frames keep showing it: the run advances a few times a
    second while the screen draws up to 60 frames, and the frames in between only move the messages."""

    def __init__(self) -> None:
        self.snap: object = None
        self.memo: dict[tuple, object] = {}

    def get(self, snap: object, key: tuple, compute: Callable[[], object]) -> object:
        """compute() for this snapshot and key, once."""
        if snap is not self.snap:
            self.snap, self.memo = snap, {}
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def tail_ids(ranges: Iterable[range], limit: int = TAIL) -> tuple[list[int], int]:
    """The last `limit` ids of some id ranges (in order), and how many ids there are in all."""
    ranges = list(ranges)
    total = sum(len(r) for r in ranges)
    out: list[int] = []
    for r in reversed(ranges):
        need = limit - len(out)
        if need <= 0:
            break
        out[:0] = list(r[-need:])
    return out, total


def runs(ids: Sequence[int], key: Callable[[int], object]) -> list[tuple[int, int, object]]:
    """Consecutive ids with the same key, as (first, last, key)."""
    out: list[tuple[int, int, object]] = []
    for rid in ids:
        k = key(rid)
        if out and rid == out[-1][1] + 1 and out[-1][2] == k:
            out[-1] = (out[-1][0], rid, k)
        else:
            out.append((rid, rid, k))
    return out


def tokens(ids: Sequence[int], state: Callable[[int], int], acked: Callable[[int], bool],
           glyph: str | None = None) -> list[Token]:
    """Tokens for records: glyph + number, alike neighbours merged into ranges."""
    out: list[Token] = []
    for first, last, (st, ack) in runs(ids, lambda r: (state(r), acked(r))):
        lk = look(st)
        style = lk.style + ACKED if ack else lk.style
        g = glyph or lk.glyph
        if last - first + 1 >= RUN_MIN:
            out.append(Token(f"{g}{first}‥{last}", style, last, last - first + 1))
        else:
            out.extend(Token(f"{g}{r}", style, r) for r in range(first, last + 1))
    return out


def ghost_tokens(ids: Iterable[int], acked: Callable[[int], bool]) -> list[Token]:
    """Lost records where they died: ✗ and struck through; acknowledged ones loudest."""
    out: list[Token] = []
    for first, last, ack in runs(sorted(ids), acked):
        style = LOST_ACKED if ack else GHOST
        text = f"✗{first}" if first == last else f"✗{first}‥{last}"
        out.append(Token(text, style, last, last - first + 1, ghost=True))
    return out


PREFIX_ROOM = 8  # room kept for "+12,345" when not every record fits


def width_of(toks: Sequence[Token]) -> int:
    """Columns the tokens take, one space apart."""
    return sum(len(t.text) for t in toks) + max(len(toks) - 1, 0)


def fit(toks: Sequence[Token], width: int, total: int, tight: bool = False) -> tuple[str, list[Token]]:
    """The newest tokens that fit in `width`, and a prefix "+N" counting the records left out (tight:
    keep only the room that prefix needs, for one-row replicas in narrow boxes)."""
    covered = sum(t.n for t in toks if not t.ghost)
    if width_of(toks) <= width and covered >= total:
        return "", list(toks)
    kept: list[Token] = []
    room = width - (len(f"+{total:,} ") if tight else PREFIX_ROOM)
    for tok in reversed(toks):
        if width_of([tok, *kept]) > room:
            break
        kept.insert(0, tok)
    hidden = total - sum(t.n for t in kept if not t.ghost)
    return (f"+{hidden:,}" if hidden > 0 else ""), kept
