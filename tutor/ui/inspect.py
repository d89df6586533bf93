"""A record's story from the ledger: every step it took, what the application was told, and why."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tutor.sim.report import explain, ms
from tutor.sim.snapshot import DUPLICATED, LOST, STATE_NAMES, Snapshot

from .draw_group import REBALANCE_MARK, rebalancing
from .look import look

STEP_WORDS = {
    "sent": lambda node, d: f"sent to {node} (attempt {d})",
    "appended": lambda node, d: f"appended by {node} at offset {_first(d)} (its page cache)",
    "replicated": lambda node, d: f"copied to {node}'s page cache (offset {d})",
    "flushed": lambda node, d: f"on {node}'s disk ({d})",
    "committed": lambda node, d: f"committed to the log: {node}'s high watermark passed it",
    "truncated": lambda node, d: f"truncated from {node}'s log ({d})",
    "lost-power": lambda node, d: f"gone from {node}'s page cache: power loss before it was flushed",
    "rejected": lambda node, d: f"refused by {node}: {d}",
    "deduplicated": lambda node, d: f"{node} dropped a duplicate retry (idempotence)",
    "error": lambda node, d: f"the producer got an error: {d}",
    "dropped": lambda node, d: f"gone with the producer process ({d})",
    "lost-in-flight": lambda node, d: f"the request reached {node} while it was down: gone on the way",
    "acked": lambda node, d: f"the application was told: acked (offset {d})",
    "failed": lambda node, d: f"the application was told: failed ({d})",
}


def _first(detail: Any) -> Any:
    """The offset out of an (offset, epoch) detail."""
    return detail[0] if isinstance(detail, tuple) else detail


def step_words(kind: str, node: str, detail: Any) -> str:
    """One batch step in words."""
    words = STEP_WORDS.get(kind)
    return words(node, detail) if words else f"{kind} at {node}" + (f" ({detail})" if detail is not None else "")


def history(sim: Any, rid: int, upto: float) -> list[tuple[float, str]]:
    """(time, words) for every step of the record's batch, its notes and its processing, up to `upto`."""
    led = sim.ledger
    out = [(led.sent_at[rid], "send() called by the application")]
    bid = led.batch_of[rid]
    if bid >= 0:
        b = led.batches[bid]
        # a record joins its batch when send() appends it, never before (the batch may be older)
        out.append((max(b.created, led.sent_at[rid]),
                    f"joined batch #{bid} (records {b.first_id}–{b.first_id + b.count - 1})"))
        out += [(t, step_words(k, n, d)) for t, k, n, d in b.steps]
        out += out_of_order(led, b)
    out += [(t, text) for t, text in led.notes.get(rid, [])]
    out += [(t, "processed by the consumer") for t in led.processed.get(rid, [])]
    return sorted((x for x in out if x[0] <= upto), key=lambda x: x[0])


def out_of_order(led: Any, batch: Any) -> list[tuple[float, str]]:
    """A batch appended after a batch of later records (a retry overtaken by the requests behind it):
    said in words, so the log's order does not look like a drawing bug (P7)."""
    out = []
    for t, kind, node, detail in batch.steps:
        if kind != "appended":
            continue
        offset = _first(detail)
        nearby = led.batches[batch.batch_id + 1: batch.batch_id + 64]  # retries reorder among requests in flight
        later = [o for o in nearby if o.first_id > batch.first_id and any(
            k == "appended" and n == node and _first(d) < offset for _, k, n, d in o.steps)]
        if later:
            out.append((t, f"appended out of order on {node}: records {later[0].first_id}… were appended "
                           "before it (a retry overtaken by later requests; "
                           "max.in.flight.requests.per.connection > 1 without idempotence)"))
    return out


def explanation(sim: Any, rid: int) -> str:
    """The engine's explanation of the record's fate as the run stands (tutor.sim.report.explain)."""
    entry = explain(sim, rid)
    where = f"lost at the {entry['lost_at']}: " if entry["lost_at"] else ""
    return where + entry["explanation"]


HELD_WORDS = "held back until you answer the open question"


def story(sim: Any, snap: Snapshot, rid: int, at: float | None = None,
          held: frozenset[str] = frozenset()) -> list[RenderableType]:
    """Heading, history table and explanation for the inspector, as of `at` (the cursor; default the
    snapshot's own time). While a lesson's question is open (`held` not empty), the record's fate and
    the engine's explanation wait for the answer, as the rest of the screen does."""
    at = snap.t if at is None else at
    st = snap.state(rid)
    hide = bool(held) and st in (LOST, DUPLICATED)
    lk = look(st)
    head = Text(f"record {rid}  ", style="bold")
    if hide:
        head.append(f"its fate is {HELD_WORDS}", style="dim")
    else:
        head.append(lk.glyph, style=lk.style)
        head.append(f" {STATE_NAMES[st]}", style="bold")
    head.append(f"  at {ms(at)}", style="dim")
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(justify="right", style="dim", no_wrap=True)
    table.add_column()  # wraps: an explanation or a note may be longer than the screen is wide
    for t, words in history(sim, rid, at):
        if not (hide and _tells_fate(words)):
            table.add_row(ms(t), _marked(words))
    parts: list[RenderableType] = [head, Text(told_words(sim, rid, at)), Text(""), table]
    why = explanation(sim, rid) if st in (LOST, DUPLICATED) or sim.ledger.notes.get(rid) else ""
    if why and held:
        parts += [Text(""), Text.assemble(("why: ", "bold"), (HELD_WORDS, "dim"))]
    elif why:
        label = "why: " if sim.now <= at else f"why (as the run stands at {ms(sim.now)}): "
        parts += [Text("")] + rebalance_lines(why) + [Text.assemble((label, "bold"), why)]
    return parts


def _tells_fate(words: str) -> bool:
    """A history line that says the record was lost or processed twice (held back while a question is open)."""
    low = words.lower()
    return any(w in low for w in ("lost", "gone", "truncated", "twice", "again", "duplicate"))


def _marked(words: str) -> Text:
    """A history line, with the rebalance mark when it tells of one."""
    if rebalancing(words):
        return Text.assemble((REBALANCE_MARK, "bold yellow"), (words, "yellow"))
    return Text(words)


def rebalance_lines(why: str) -> list[RenderableType]:
    """A heading line when the engine's explanation names a consumer-group rebalance as the cause."""
    if not rebalancing(why):
        return []
    return [Text.assemble((REBALANCE_MARK, "bold yellow"),
                          ("a consumer-group rebalance: partitions changed hands between members", "bold yellow"))]


def told_words(sim: Any, rid: int, t: float) -> str:
    """What the application knew about this record at time t."""
    told = sim.ledger.told[rid]
    if told is None or told[1] > t:
        return "the application has had no answer yet"
    kind, when, detail = told
    if kind == "acked":
        return f"the application was told it was written (acked at {ms(when)}, offset {detail})"
    return f"the application was told it failed at {ms(when)}: {detail}"
