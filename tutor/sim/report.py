"""The outcome of a run: every record's fate, where it left the pipeline, and why, in plain words."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import countOf, itemgetter
from typing import TYPE_CHECKING, Any

from .app import APP_MODES, where_lost

if TYPE_CHECKING:
    from .simulation import Simulation

TIMELINE_KINDS = {"failure", "repair", "election", "offline", "isr", "truncate", "fence", "restart",
                  "recovery", "consumer", "note", "setting", "group"}
SUMMARY_KEYS = ("sent", "acked", "send_errors", "unconfirmed", "processed", "duplicates", "lost", "lost_acked")
#: where a record lost in the producer's process or host was (summary "lost_in", application modes only)
LOST_IN = {"spool": "spool", "application queue": "app_queue", "accumulator": "accumulator",
           "in flight": "in_flight"}
#: failures send() itself reports (a throw or a return code): seen even by an application that ignores
#: delivery callbacks. Everything else reaches the application only through the callback or future.
SYNCHRONOUS_ERRORS = ("TimeoutException: buffer full", "QUEUE_FULL", "_FATAL", "MSG_SIZE_TOO_LARGE")


@dataclass
class Report:
    """Summary, per-message fates and a compact timeline of one run."""

    title: str
    seed: int
    end_ms: float
    summary: dict[str, Any]
    messages: Sequence[dict[str, Any]]  # a list, or the engine's lazy Messages
    timeline: list[tuple[float, str]] = field(default_factory=list)
    acks: str = "all"  # the producer's acks at the end (acks=0: "acked" means only counted as sent)

    def to_json(self, lazy: bool = False) -> dict[str, Any]:
        """One JSON-ready object (with `lazy`, the messages stay a sequence whose entries are built as
        they are read, for a writer that encodes them one at a time)."""
        return {"title": self.title, "seed": self.seed, "end_ms": self.end_ms, "summary": self.summary,
                "messages": self.messages if lazy else list(self.messages),
                "timeline": [{"t": t, "text": x} for t, x in self.timeline]}

    def ids(self, which: str) -> list[int]:
        """Record ids that are lost, duplicated or lost_acked."""
        fate = {"lost": "lost", "duplicated": "duplicated", "lost_acked": "lost"}[which]
        if isinstance(self.messages, Messages):  # read the columns: no explanation is needed
            return self.messages.ids(fate, acked_only=which == "lost_acked")
        if which == "lost_acked":
            return [m["id"] for m in self.messages if m["fate"] == "lost" and m["acked"]]
        return [m["id"] for m in self.messages if m["fate"] == fate]

    def value(self, key: str) -> Any:
        """A summary figure by [expect] key (lost_at.broker, lost_ids, ...)."""
        if key.endswith("_ids"):
            return self.ids(key[: -len("_ids")])
        if key.startswith("lost_at."):
            return self.summary["lost_at"][key.split(".", 1)[1]]
        if key.startswith("lost_in."):  # present only when the application mode has such places
            return self.summary.get("lost_in", {}).get(key.split(".", 1)[1], 0)
        if key == "lost_silently":
            return self.summary.get(key, 0)
        return self.summary[key]

    def check(self, expect: dict[str, Any]) -> list[str]:
        """Failed expectations, in words; empty when every one holds."""
        return [msg for key, want in expect.items() if (msg := _check_one(key, self.value(key), want))]


def _check_one(key: str, got: Any, want: Any) -> str | None:
    """Compare one figure with an exact value, a list of ids, or a {min, max} range."""
    if isinstance(want, dict):
        lo, hi = want.get("min"), want.get("max")
        if (lo is not None and got < lo) or (hi is not None and got > hi):
            return f"{key} = {got}, expected {_range(lo, hi)}"
        return None
    if isinstance(want, list):
        return None if sorted(got) == sorted(want) else f"{key} = {_span(got)}, expected {_span(want)}"
    return None if got == want else f"{key} = {got}, expected {want}"


def _range(lo: Any, hi: Any) -> str:
    """Words for a min/max range."""
    if lo is not None and hi is not None:
        return f"between {lo} and {hi}"
    return f"at least {lo}" if lo is not None else f"at most {hi}"


def _span(ids: list[int]) -> str:
    """[1,2,3,7] -> "1-3, 7"."""
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges(sorted(ids))) or "none"


def ranges(ids: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted ids as (first, last) pairs."""
    out: list[tuple[int, int]] = []
    for i in ids:
        if out and i == out[-1][1] + 1:
            out[-1] = (out[-1][0], i)
        else:
            out.append((i, i))
    return out


# --- building the report -----------------------------------------------------------------
def final_leader(sim: "Simulation"):
    """The broker that leads t-0 at the end (None if the partition is offline)."""
    name = sim.controller.leader
    return sim.brokers[name] if name else None


def final_replicas(sim: "Simulation") -> list[Any]:
    """Each partition's replica at its final leader (None where the partition is offline)."""
    out = []
    for p in range(sim.partitions):
        name = sim.controller.leader_of(p)
        out.append(sim.brokers[name].replicas[p] if name else None)
    return out


def committed_counts(sim: "Simulation") -> Counter:
    """How often each record is in the final committed logs (below each partition's HW)."""
    counts: Counter = Counter()
    for r in final_replicas(sim):
        if r is not None:
            counts.update(r.log.ids(0, r.hw))
    return counts


def processed_counts(sim: "Simulation") -> Counter:
    """How often each record was processed: by the consumer, or by an audit read of the final logs."""
    if sim.consumer is not None:
        led = sim.ledger
        counts: Counter = Counter()
        for lo, hi in led.processed_runs():  # whole runs at once, in C
            dict.update(counts, dict.fromkeys(range(lo, hi), 1))
        for rid, more in led.more_done.items():
            counts[rid] = 1 + len(more)
        return counts
    return committed_counts(sim)


def explain(sim: "Simulation", rid: int) -> dict[str, Any]:
    """One record's entry (fate, where lost, explanation) as the report would give it now."""
    committed = committed_counts(sim)
    return _message(sim, rid, processed_counts(sim)[rid], committed, Explainer(sim, committed))


def build_report(sim: "Simulation") -> Report:
    """Compute every record's fate and explanation from the ledger and the final logs."""
    counts = processed_counts(sim)
    committed = committed_counts(sim)
    messages = Messages(sim, counts, committed, Explainer(sim, committed))
    return Report(sim.scenario.title, sim.seed, sim.now, _summary(sim, messages, counts),
                  messages, _timeline(sim), sim.config.producer["acks"])


def _fate(n: int) -> str:
    """A record's fate from how often it was processed."""
    return "lost" if n == 0 else "processed" if n == 1 else "duplicated"


def _lost_at(rid: int, committed: Counter, ex: "Explainer") -> str:
    """Where a lost record left the pipeline."""
    return "consumer" if committed[rid] else "broker" if ex.reached_log(rid) else "producer"


def _message(sim: "Simulation", rid: int, n: int, committed: Counter, ex: "Explainer") -> dict[str, Any]:
    """One record's entry in the report."""
    told = sim.ledger.told[rid]
    acked = told is not None and told[0] == "acked"
    fate = _fate(n)
    lost_at = _lost_at(rid, committed, ex) if fate == "lost" else None
    text = ex.lost(rid, lost_at) if fate == "lost" else ex.duplicated(rid, n) if n > 1 else ex.processed(rid)
    bid = sim.ledger.batch_of[rid]
    part = sim.ledger.batches[bid].partition if bid >= 0 else None
    text = _prefix(sim, part) + text
    return {"id": rid, "acked": acked, "fate": fate, "lost_at": lost_at, "explanation": text,
            "times_processed": n} | _place(sim, part) | {"offset": ex.offset_in(part, bid, rid)}


def _prefix(sim: "Simulation", part: int | None) -> str:
    """What an explanation starts with: its partition's name, when the run has several ("t-1: ")."""
    return f"{sim.tp_name(part)}: " if part is not None and sim.partitions > 1 else ""


def _place(sim: "Simulation", part: int | None) -> dict[str, Any]:
    """A record's "partition" (its number within its topic), and its "topic" when the run has several."""
    if len(sim.topics) == 1:
        return {"partition": part}
    topic, number = sim.tp(part) if part is not None else (None, None)
    return {"topic": topic, "partition": number}


def _first_copies(batches: list[Any]) -> dict[int, Any]:
    """Batch id -> the first log batch that holds it (a retry appended without idempotence is a second copy)."""
    out: dict[int, Any] = {}
    for b in batches:
        out.setdefault(b.batch_id, b)
    return out


def _partition(e: Any) -> int:
    """The partition an event of the log is about (controller elections and ISR changes name it)."""
    return e.data.get("partition", 0) if e.data else 0


class Messages(Sequence):
    """Every record's entry of a finished run, each built (with its explanation) when it is read: a large
    run's report holds no dict or sentence per record, only the ids of the lost ones and where they left."""

    def __init__(self, sim: "Simulation", counts: Counter, committed: Counter, ex: "Explainer") -> None:
        self.sim, self.counts, self.committed, self.ex = sim, counts, committed, ex
        self.n = len(sim.ledger)
        self.lost = {rid: _lost_at(rid, committed, ex) for rid in range(self.n) if not counts[rid]}

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError("record id out of range")
        return _message(self.sim, i, self.counts[i], self.committed, self.ex)

    def __iter__(self):
        """Every entry in order; a record processed once (most of a run) takes a shorter path to the same dict,
        its batch's partition and offsets found once per run of its records, its explanation once per time."""
        sim, counts, committed, ex = self.sim, self.counts, self.committed, self.ex
        told, batch_of, first_done = sim.ledger.told, sim.ledger.batch_of, sim.ledger.first_done
        place, parts = self.batch_place, {}  # partition -> its explanation prefix and its fields
        last_bid, last_t, when = None, None, "in the final log"  # consecutive records often share them
        for rid in range(self.n):
            n = counts[rid]
            if n != 1:
                yield _message(sim, rid, n, committed, ex)
                continue
            if (bid := batch_of[rid]) != last_bid:
                last_bid, (part, delta) = bid, place(bid)
                prefix, where = parts.get(part) or parts.setdefault(part, (_prefix(sim, part), _place(sim, part)))
            if (t := first_done[rid]) != last_t:
                last_t, when = t, ex.processed(rid)
            k = told[rid]
            yield {"id": rid, "acked": k is not None and k[0] == "acked", "fate": "processed", "lost_at": None,
                   "explanation": prefix + when, "times_processed": 1, **where,
                   "offset": None if delta is None else rid + delta}

    def batch_place(self, bid: int) -> tuple[int | None, int | None]:
        """Batch `bid`'s partition (None for -1, no batch) and, a batch's records being consecutive ids at
        consecutive offsets, a record's offset in the final log minus its id (None: not there)."""
        if bid < 0:
            return None, None
        part = self.sim.ledger.batches[bid].partition
        copy = self.ex.final_copies()[part].get(bid)
        return part, None if copy is None else copy.base - copy.first_id

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def acked(self, rid: int) -> bool:
        """Was the application told the record was written?"""
        told = self.sim.ledger.told[rid]
        return told is not None and told[0] == "acked"

    def ids(self, fate: str, acked_only: bool = False) -> list[int]:
        """Ids of the records with this fate (only the acknowledged ones, if asked)."""
        if fate == "lost":
            rids = list(self.lost)
        else:
            rids = [rid for rid in range(self.n) if _fate(self.counts[rid]) == fate]
        return [rid for rid in rids if self.acked(rid)] if acked_only else rids

    def json_items(self, indent: str) -> Iterator[str | list[dict[str, Any]]]:
        """The entries in order, for a writer of json.dumps(indent=2)'s text whose list items start at `indent`:
        runs of records processed once (most of a run) as ready text, each item "\n" + indent + its object,
        items joined by ","; runs of the other entries as lists of their dicts, for the writer to encode. The
        writer puts "," between the parts. No dict is built for a record processed once."""
        text = _EntryText(self, indent)
        for start in range(0, self.n, 1000):
            yield from text.block(start, min(start + 1000, self.n))


class _EntryText:
    """The JSON text of the entries of records processed once, as json.dumps(indent=2) lays them out at an
    indentation. Only a partition's name (a topic's, from the scenario) can need escaping."""

    def __init__(self, messages: Messages, indent: str) -> None:
        self.messages = messages
        inner = self.inner = "\n" + indent + "  "
        self.head, self.close = f"\n{indent}{{{inner}\"id\": ", f"\n{indent}}}"
        fixed = f',{inner}"fate": "processed",{inner}"lost_at": null,{inner}"explanation": "'
        self.acked, self.unacked = f',{inner}"acked": true{fixed}', f',{inner}"acked": false{fixed}'
        self.partitions: dict[int | None, tuple[str, str]] = {}  # partition -> _partition's texts
        self.last_t: float | None = None  # the last processing time explained, kept from block to block
        self.when = "in the final log"  # its explanation

    def block(self, start: int, stop: int) -> Iterator[str | list[dict[str, Any]]]:
        """The entries of records start..stop-1, as runs of text and runs of dicts (see Messages.json_items)."""
        messages, texts, place = self.messages, self.partitions, self.messages.batch_place
        counts, processed, ledger = messages.counts, messages.ex.processed, messages.sim.ledger
        told, first_done, batch_of = ledger.told, ledger.first_done, ledger.batch_of
        head, close, acked, unacked = self.head, self.close, self.acked, self.unacked
        last_bid, prefix, mid, delta = None, "", "", None
        last_t, when = self.last_t, self.when
        text: list[str] = []
        others: list[dict[str, Any]] = []
        for rid in range(start, stop):
            if counts.get(rid) != 1:
                if text:
                    yield ",".join(text)
                    text = []
                others.append(messages[rid])
                continue
            if others:
                yield others
                others = []
            if (bid := batch_of[rid]) != last_bid:
                last_bid, (part, delta) = bid, place(bid)
                prefix, mid = texts.get(part) or self._partition(part)
            if (t := first_done[rid]) != last_t:
                last_t, when = t, processed(rid)
            k = told[rid]
            text.append(f"{head}{rid}{acked if k is not None and k[0] == 'acked' else unacked}{prefix}{when}{mid}"
                        f"{'null' if delta is None else rid + delta}{close}")
        self.last_t, self.when = last_t, when
        if text:
            yield ",".join(text)
        if others:
            yield others

    def _partition(self, part: int | None) -> tuple[str, str]:
        """A partition's explanation prefix as JSON string text, and the text of its entries from the
        explanation's closing quote to the offset's value (kept in self.partitions)."""
        sim, inner = self.messages.sim, self.inner
        prefix = json.dumps(_prefix(sim, part))[1:-1]
        fields = {"times_processed": 1} | _place(sim, part)
        mid = '"' + "".join(f",{inner}{json.dumps(key)}: {json.dumps(value)}" for key, value in fields.items())
        self.partitions[part] = out = (prefix, f'{mid},{inner}"offset": ')
        return out


def _summary(sim: "Simulation", messages: Messages, counts: Counter) -> dict[str, Any]:
    """The headline figures."""
    told = _told_counts(sim.ledger.told)
    lost = messages.lost
    times = counts.values()
    return {
        "sent": len(messages),
        "acked": told["acked"],
        "send_errors": told["failed"],
        "unconfirmed": told[None],
        "processed": len(messages) - len(lost),
        "duplicates": sum(times) - len(counts) + countOf(times, 0),  # each count past the first
        "lost": len(lost),
        "lost_acked": sum(1 for rid in lost if messages.acked(rid)),
        "lost_at": {w: sum(1 for where in lost.values() if where == w) for w in ("producer", "broker", "consumer")},
    } | _app_summary(sim, lost) | _partition_summary(sim, messages, counts)


def _told_counts(told: list[tuple[str, float, Any] | None]) -> Counter:
    """How many records the application was told each answer of ("acked", "failed"; None: none yet), counted in
    one pass in C."""
    out = Counter(map(itemgetter(0), filter(None, told)))
    out[None] = told.count(None)
    return out


def _partition_summary(sim: "Simulation", messages: Messages, counts: Counter) -> dict[str, Any]:
    """With several partitions: sent, acked, lost and duplicated records per partition (absent for one,
    so one-partition reports stay as they are). Records that never entered a batch count under "none"."""
    if sim.partitions == 1:
        return {}
    out: dict[str, dict[str, int]] = {sim.tp_name(p): {"sent": 0, "acked": 0, "lost": 0, "duplicated": 0}
                                      for p in range(sim.partitions)}
    ex = messages.ex
    for rid in range(len(messages)):
        part = ex.partition_of(rid)
        row = out.setdefault("none" if part is None else sim.tp_name(part),
                             {"sent": 0, "acked": 0, "lost": 0, "duplicated": 0})
        row["sent"] += 1
        row["acked"] += messages.acked(rid)
        row["lost"] += rid in messages.lost
        row["duplicated"] += counts[rid] > 1
    return {"partitions": out}


def _app_summary(sim: "Simulation", lost: dict[int, str]) -> dict[str, Any]:
    """For the application modes and ignored callbacks: losses nobody was told of, and where in the
    producer's process or host the lost records were (absent otherwise, so other reports stay as they are)."""
    p = sim.config.producer
    if p["send.mode"] not in APP_MODES and p["callbacks"] != "ignore":
        return {}
    places = {key: 0 for key in LOST_IN.values()}
    for rid, lost_at in lost.items():  # lost record id -> where it left the pipeline
        place = where_lost(sim.ledger.notes.get(rid, [])) if lost_at == "producer" else None
        if place is not None:
            places[LOST_IN[place]] += 1
    silent = sum(1 for rid in lost if told_silently(sim, rid))
    return {"lost_silently": silent, "lost_in": places}


def told_silently(sim: "Simulation", rid: int) -> bool:
    """Did this record fail only through a delivery callback that the application ignores?"""
    told = sim.ledger.told[rid]
    if sim.config.producer["callbacks"] != "ignore" or told is None or told[0] != "failed":
        return False
    return not str(told[2]).startswith(SYNCHRONOUS_ERRORS)


def _timeline(sim: "Simulation") -> list[tuple[float, str]]:
    """Notable events; repeated produce errors are folded into a count."""
    out: list[tuple[float, str]] = []
    errors = 0
    for e in sim.ledger.events:
        if e.kind in TIMELINE_KINDS:
            out.append((e.t, e.text))
        elif e.kind == "produce-error":
            errors += 1
            if errors <= 3:
                out.append((e.t, e.text))
    if errors > 3:
        last = max(e.t for e in sim.ledger.events if e.kind == "produce-error")
        out.append((last, f"... and {errors - 3} more producer errors, the last at {ms(last)}"))
    return sorted(out, key=lambda x: x[0])


def ms(t: float) -> str:
    """A time as "612 ms"."""
    return f"{t:,.0f} ms" if t == int(t) else f"{t:,.1f} ms"


class Explainer:
    """Turns a record's history into the first broken link, in plain words."""

    def __init__(self, sim: "Simulation", committed: Counter) -> None:
        self.sim = sim
        self.ledger = sim.ledger
        self.committed = committed
        self.acks = sim.config.producer["acks"]
        self._final: list[dict[int, Any]] | None = None  # per partition: batch id -> its first copy in the final log

    def partition_of(self, rid: int) -> int | None:
        """The partition the producer put the record in (None: it never entered a batch)."""
        bid = self.ledger.batch_of[rid]
        return self.ledger.batches[bid].partition if bid >= 0 else None

    def offset_of(self, rid: int) -> int | None:
        """The record's offset in the final log of its partition (its first copy), or None."""
        return self.offset_in(self.partition_of(rid), self.ledger.batch_of[rid], rid)

    def offset_in(self, part: int | None, bid: int, rid: int) -> int | None:
        """The offset of record `rid` of batch `bid` in partition `part`'s final log, or None."""
        if part is None:
            return None
        b = self.final_copies()[part].get(bid)
        return None if b is None else b.base + (rid - b.first_id)

    def final_copies(self) -> list[dict[int, Any]]:
        """Per partition: batch id -> the first log batch that holds it in the final log."""
        if self._final is None:
            self._final = [{} if r is None else _first_copies(r.log.batches) for r in final_replicas(self.sim)]
        return self._final

    def steps(self, rid: int) -> list[tuple[float, str, str, Any]]:
        """Steps of the record's batch (empty if it never entered one)."""
        bid = self.ledger.batch_of[rid]
        return self.ledger.batches[bid].steps if bid >= 0 else []

    def reached_log(self, rid: int) -> bool:
        """Was it ever appended to any replica's log?"""
        return self.ledger.reached_log(rid)

    def notes(self, rid: int) -> list[tuple[float, str]]:
        """Per-record notes."""
        return self.ledger.notes.get(rid, [])

    # --- lost ----------------------------------------------------------------------------
    def lost(self, rid: int, where: str | None) -> str:
        """Why a record was never processed."""
        if where == "producer":
            return self._lost_at_producer(rid)
        if where == "broker":
            return self._lost_at_broker(rid)
        return self._lost_at_consumer(rid)

    def _lost_at_producer(self, rid: int) -> str:
        """Never reached a log."""
        told = self.ledger.told[rid]
        died = [x for _, x in self.notes(rid) if ("producer" in x and "died" in x) or where_lost([(0, x)])]
        if told is None:
            when = self.ledger.sent_at[rid]
            return (f"sent at {ms(when)}; {died[-1] if died else 'never left the producer'}: never "
                    f"acknowledged, and the application was not told")
        kind, t, detail = told
        if kind == "failed" and told_silently(self.sim, rid):
            return (f"the producer reported at {ms(t)} that it failed ({detail}) to a delivery callback "
                    f"the application ignores (callbacks = \"ignore\"): nobody was told")
        if kind == "failed":
            return f"the application was told it failed at {ms(t)}: {detail}"
        dropped = [(st, n) for st, k, n, _ in self.steps(rid) if k == "lost-in-flight"]
        dest = [n for _, k, n, _ in self.steps(rid) if k == "sent"]
        to = dropped[-1][1] if dropped else dest[-1] if dest else "the leader"
        return (f"acks=0: the producer counted it sent at {ms(t)} (offset -1), but {to} never appended it "
                f"({self._node_state(to, t)}); no error could reach the application")

    def _node_state(self, node: str, t: float) -> str:
        """What was wrong with a node around time t, from the event log."""
        last = "the request was lost on the way"
        for e in self.ledger.events:
            if e.node == node and e.kind == "failure" and e.t <= t + 1:
                last = e.text
        return last

    def _lost_at_broker(self, rid: int) -> str:
        """Reached a log, vanished from it."""
        steps = self.steps(rid)
        parts = [self._ack_part(rid, steps)]
        committed = [t for t, k, _, _ in steps if k == "committed"]
        if committed:
            parts.append(f"it was committed (below the HW) at {ms(committed[0])}")
        removals = self._removals(steps)
        election = self._election(steps, self.partition_of(rid) or 0)
        if election:
            removals.insert(self._election_position(steps, election[0]), election[1])
        parts.extend(removals)
        return "; ".join(parts)

    def _election(self, steps: list, part: int) -> tuple[float, str] | None:
        """The first leader election of the record's partition after it was written, by a leader that lacked it."""
        first = next((t for t, k, _, _ in steps if k == "appended"), None)
        if first is None:
            return None
        for e in self.ledger.events:
            if e.kind == "election" and e.t >= first and e.text.startswith("controller") and \
                    _partition(e) == part and not self._held_by(steps, e.node, e.t):
                how = "UNCLEAN election of" if e.data and e.data.get("unclean") else "the controller elected"
                return e.t, f"{how} {e.node} as leader at {ms(e.t)} without it"
        return None

    @staticmethod
    def _held_by(steps: list, node: str | None, t: float) -> bool:
        """Did `node` hold a copy of the batch at time t?"""
        held = False
        for st, kind, n, _ in steps:
            if st > t:
                break
            if n == node and kind in ("appended", "replicated"):
                held = True
            elif n == node and kind in ("truncated", "lost-power"):
                held = False
        return held

    @staticmethod
    def _election_position(steps: list, t: float) -> int:
        """Where an election at time t goes among the removals (which are in time order)."""
        return sum(1 for st, k, _, _ in steps if k in ("truncated", "lost-power") and st <= t)

    def _ack_part(self, rid: int, steps: list) -> str:
        """How the application saw it, and where its copies were at that moment."""
        told = self.ledger.told[rid]
        if told is None:
            return "never acknowledged (the producer gave no answer)"
        kind, t, detail = told
        if kind == "failed":
            return f"the application was told it failed at {ms(t)} ({detail}), yet it had been written"
        if detail == -1:  # acks=0 (P4): the producer counted it sent; no broker acknowledged anything
            text = f"counted as sent without any acknowledgement (acks=0) at {ms(t)} while {self._copies(steps, t)}"
        else:
            text = f"acked with acks={self.acks} at {ms(t)} while {self._copies(steps, t)}"
        writer = next((n for st, k, n, _ in steps if k == "appended" and st <= t), None)
        leader = self._leader_at(t, self.partition_of(rid) or 0)
        if writer and leader and writer != leader[1]:
            text += (f", by {writer} as a zombie leader (the controller had elected {leader[1]} "
                     f"at {ms(leader[0])})")
        return text

    def _leader_at(self, t: float, part: int) -> tuple[float, str] | None:
        """(when, who) of the controller's last election of partition `part` at or before t."""
        found = None
        for e in self.ledger.events:
            if e.t > t:
                break
            if e.kind == "election" and e.text.startswith("controller") and _partition(e) == part:
                found = (e.t, e.node)
        return found

    def _copies(self, steps: list, t: float) -> str:
        """Where the copies were at time t: 'only in broker-1's page cache', 'on broker-1's disk, ...'."""
        held: dict[str, str] = {}
        for st, kind, node, _ in steps:
            if st > t:
                break
            if kind in ("appended", "replicated"):
                held[node] = "page cache"
            elif kind == "flushed" and node in held:
                held[node] = "disk"
            elif kind in ("truncated", "lost-power"):
                held.pop(node, None)
        if not held:
            return "in no log"
        if len(held) == 1:
            (node, where), = held.items()
            return f"only in {node}'s {where}"
        return "in " + ", ".join(f"{n}'s {w}" for n, w in held.items())

    def _removals(self, steps: list) -> list[str]:
        """Each time a copy disappeared, in order."""
        out = []
        for t, kind, node, detail in steps:
            if kind == "lost-power":
                out.append(f"{node} lost power at {ms(t)} before flushing it")
            elif kind == "truncated":
                out.append(f"{node} truncated it at {ms(t)} ({detail})")
        return out or ["it is missing from the final log"]

    def _lost_at_consumer(self, rid: int) -> str:
        """In the log, never processed."""
        skipped = [x for _, x in self.notes(rid) if x.startswith("skipped")]
        if skipped:
            return skipped[0]
        threw = [x for _, x in self.notes(rid) if "threw" in x]
        if threw:
            return threw[0]
        if not self.sim.config.consumer_validates_offsets:
            return ("in the log, but never read: its offset was reused after a truncation and the "
                    "consumer, which does not validate its position against leader epochs before "
                    "Kafka 2.3 (KIP-320), read on past it")
        return "in the log, but the consumer never processed it"

    # --- duplicated and processed --------------------------------------------------------
    def duplicated(self, rid: int, n: int) -> str:
        """Why a record was processed more than once."""
        times = ", ".join(ms(t) for t in self.ledger.processed.get(rid, []))
        resent = [x for _, x in self.notes(rid) if x.startswith("re-sent from the spool")]
        if self.committed[rid] > 1 and resent:
            idem = (": idempotence covers one producer session only" if "new producer id" in resent[-1]
                    else " (no idempotence)")
            return (f"written {self.committed[rid]} times to the log: it was in the log but not yet "
                    f"acknowledged when the producer died, and was {resent[-1]}{idem}; processed at {times}"
                    if times else f"written {self.committed[rid]} times to the log: {resent[-1]}{idem}")
        if self.committed[rid] > 1:
            errors = [d for _, k, _, d in self.steps(rid) if k == "error"]
            why = f"after {errors[0]}" if errors else "after a lost answer"
            read = f"processed at {times}" if times else f"the audit read it {n} times"
            return (f"written {self.committed[rid]} times to the log: the producer retried {why} "
                    f"and the broker appended it again (no idempotence); {read}")
        moved = [x for _, x in self.notes(rid) if x.startswith("processed by ")]
        if moved:  # a group member took the partition over (or rejoined) below this record
            return f"{moved[-1]}; processed at {times}"
        return (f"processed {n} times (at {times}): the consumer resumed from a committed offset "
                f"below it after a restart (at-least-once)")

    def processed(self, rid: int) -> str:
        """A record that made it."""
        t = self.ledger.first_done[rid]
        return f"processed at {ms(t)}" if t is not None else "in the final log"
