"""The producer application's modes: window, spool, unbounded queue, ignored callbacks, too-large records."""

from _build import at, run, scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.scenario import parse_scenario
from tutor.scenario.errors import ScenarioError
from tutor.sim.app import Spool, where_lost, writeback_until
from tutor.sim.simulation import Simulation

#: a leader slow enough that the producer cannot keep up with one record per millisecond
OVERLOAD = dict(topic={"min.insync.replicas": 2},
                producer={"acks": "all", "linger.ms": 0, "batch.size": 1000, "buffer.memory": 100000},
                workload={"messages": 200, "interval.ms": 1, "size.bytes": 100})
SLOW = [at(0, "slow", "leader", delay__ms=50)]


def _overload(**producer):
    """The overload scenario with some producer settings changed."""
    sections = {k: dict(v) for k, v in OVERLOAD.items()}
    sections["producer"].update({k.replace("__", "."): v for k, v in producer.items()})
    return sections


def _last_ack(sim: Simulation) -> float:
    """Virtual time of the last acknowledgement."""
    return max(b.outcome[1] for b in sim.ledger.batches if b.outcome and b.outcome[0] == "acked")


def test_window_never_has_more_than_max_outstanding_unanswered():
    """At every step, records sent and not yet answered stay within the window."""
    sim = Simulation(scenario(SLOW, **_overload(send__mode="window", max__outstanding=7)))
    peak = 0
    while sim.step():
        p = sim.producer
        unanswered = sum(b.count for b in list(p.queue) + list(p.in_flight.values()) if not b.done)
        assert unanswered <= 7
        peak = max(peak, unanswered)
    assert peak == 7


def test_smaller_windows_and_sync_cost_throughput():
    """Under the same overload: async finishes first, a window of 10 later, sync last."""
    times = {}
    for mode, extra in (("async", {}), ("window", {"max__outstanding": 10}), ("sync", {})):
        sim, report = run(SLOW, **_overload(send__mode=mode, **extra))
        assert report.summary["acked"] == 200
        times[mode] = _last_ack(sim)
    assert times["async"] < times["window"] < times["sync"]


def test_spool_write_with_fsync_every_waits_for_the_disk():
    """spool.fsync.mode = "every": one write per spool.fsync.ms at most, whatever interval.ms asks."""
    sim, report = run(producer={"send.mode": "spool", "spool.fsync.mode": "every", "spool.fsync.ms": 5},
                      workload={"messages": 20, "interval.ms": 1})
    sent = sim.ledger.sent_at
    assert report.summary["acked"] == 20
    assert all(b - a >= 5 for a, b in zip(sent, sent[1:]))


def test_spool_power_loss_keeps_synced_entries_and_marks():
    """The synced part of the spool and the done marks made before the last sync survive."""
    spool = Spool()
    for rid, t in enumerate((0, 10, 20, 30)):
        spool.append(rid, t)
    spool.mark_done(0, 5.0)
    spool.fsync(2, 15.0)          # records 0 and 1 on disk; the mark of 0 made before it too
    spool.mark_done(1, 25.0)      # after the fsync: lost with the power
    assert spool.power_loss(writeback_until=-1) == [2, 3]
    assert spool.entries == [0, 1] and spool.waiting() == [1]
    assert spool.next_record() == 1 and spool.next_record() is None


def test_writeback_writes_pages_older_than_the_expiry():
    """Linux writes back at each flusher wake-up what has been dirty longer than the expiry age."""
    assert writeback_until(29_999, 500, 3000) < 0
    assert writeback_until(35_000, 500, 3000) == 5_000
    assert writeback_until(37_499, 500, 3000) == 5_000


def test_spool_survives_a_crash_and_resumes_in_order():
    """No broker reachable, crash, restart, heal: every record arrives once, nothing is lost."""
    events = [at(0, "partition", between=[["producer"], ["all-brokers"]]),
              at(300, "crash", "producer", restart__after__ms=50), at(500, "heal")]
    sim, report = run(events, producer={"send.mode": "spool"}, workload={"messages": 60, "interval.ms": 10})
    assert report.summary["lost"] == 0 and report.summary["duplicates"] == 0
    assert sim.producer.app.spool.waiting() == []


def test_unbounded_queue_dies_when_it_passes_app_memory():
    """The process dies out of memory exactly when its own queue passes app.memory.bytes."""
    events = [at(0, "partition", between=[["producer"], ["all-brokers"]])]
    sim, report = run(events, producer={"send.mode": "unbounded", "buffer.memory": 500, "app.memory.bytes": 1000},
                      workload={"messages": 100, "interval.ms": 10, "size.bytes": 100})
    oom = [e for e in sim.ledger.events if "ran out of memory" in e.text]
    assert len(oom) == 1 and oom[0].t == 150  # 5 records in the buffer, the 11th queued one is too many
    assert report.summary["lost_in"] == {"spool": 0, "app_queue": 11, "accumulator": 5, "in_flight": 0}


def test_record_larger_than_buffer_fails_at_its_send():
    """Java: RecordTooLargeException at send(), not after waiting on a buffer that can never hold it."""
    sim, report = run(producer={"buffer.memory": 50}, workload={"messages": 3, "size.bytes": 100})
    assert [t[1] for t in sim.ledger.told] == sim.ledger.sent_at
    assert all(t[2].startswith("RecordTooLargeException") for t in sim.ledger.told)


def test_max_request_size_applies_before_buffer_memory():
    """Java checks max.request.size, then buffer.memory (ensureValidRecordSize)."""
    sim, _ = run(producer={"max.request.size": 50}, workload={"messages": 1, "size.bytes": 100})
    assert "max.request.size=50" in sim.ledger.told[0][2]


def test_ignored_callbacks_make_expired_records_silent():
    """An expired record is a silent loss when nobody reads the callback; a handled one is not."""
    events = [at(200, "partition", between=[["producer"], ["leader"]]), at(60000, "heal")]
    common = dict(topic={"min.insync.replicas": 2}, workload={"messages": 50, "interval.ms": 10})
    base = {"acks": "all", "request.timeout.ms": 1000, "delivery.timeout.ms": 3000}
    _, told = run(events, producer=base, **common)
    _, silent = run(events, producer=dict(base, callbacks="ignore"), **common)
    assert "lost_silently" not in told.summary
    assert silent.summary["lost_silently"] == silent.summary["lost"] > 0
    lost = [m for m in silent.messages if m["fate"] == "lost"]
    assert all("nobody was told" in m["explanation"] for m in lost)


def test_default_modes_keep_the_report_as_it_was():
    """async and sync reports carry no application-mode counts."""
    _, report = run(workload={"messages": 5})
    assert "lost_in" not in report.summary and "lost_silently" not in report.summary


def test_where_lost_reads_the_last_place():
    """The last note naming a place wins."""
    notes = [(1.0, "in the producer buffer when the producer process died"),
             (2.0, "in the spool's unsynced tail when the application host lost power")]
    assert where_lost(notes) == "spool" and where_lost([]) is None


def test_bad_fsync_mode_is_one_line():
    """A wrong spool.fsync.mode names the key and the choices."""
    try:
        parse_scenario('[producer]\nsend.mode = "spool"\nspool.fsync.mode = "sometimes"\n', "s.toml")
    except ScenarioError as e:
        assert "\n" not in str(e) and "spool.fsync.mode" in str(e) and '"every"' in str(e)
    else:
        raise AssertionError("accepted")


@settings(max_examples=8, deadline=None)
@given(window=st.integers(1, 12), seed=st.integers(0, 1000))
def test_window_crash_loses_at_most_the_window(window, seed):
    """Whatever the window, a crash loses no more records than it held."""
    events = SLOW + [at(60, "crash", "producer", restart__after__ms=10)]
    _, report = run(events, seed=seed, **_overload(send__mode="window", max__outstanding=window))
    assert report.summary["lost"] <= window


def test_snapshot_shows_each_mode_state():
    """The producer box's data: the window's use, the spool's length and synced part, the queue's bytes."""
    from tutor.sim.snapshot import take
    cut = [at(0, "partition", between=[["producer"], ["all-brokers"]])]
    window = Simulation(scenario(cut, producer={"send.mode": "window", "max.outstanding": 4}))
    spool = Simulation(scenario(cut, producer={"send.mode": "spool", "spool.fsync.mode": "interval",
                                               "spool.fsync.interval.ms": 255}))
    queue = Simulation(scenario(cut, producer={"send.mode": "unbounded", "buffer.memory": 300}))
    for sim in (window, spool, queue):
        sim.auto_finish = False
        sim.run(300)
    assert take(window).producer.app == ("window", 4, 4)
    assert take(spool).producer.app == ("spool", 31, 26, 0, 31)  # written at 0..300 ms, synced at 255 ms
    assert take(queue).producer.app == ("unbounded", 2800, 67108864)  # 31 sent, 3 in the buffer


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), first=st.sampled_from(MODES_ALL := ("async", "sync", "window", "spool",
                                                                          "unbounded")),
       switches=st.lists(st.tuples(st.floats(0, 1500), st.sampled_from(MODES_ALL)), max_size=3),
       crash=st.sampled_from(("crash", "power-loss")), client=st.sampled_from(("java", "librdkafka")))
def test_mode_changes_mid_run_never_strand_the_application(seed, first, switches, crash, client):
    """Whatever modes the application switches between, with a crash, every record is sent and accounted."""
    producer = {"client": client, "send.mode": first, "max.outstanding": 3, "linger.ms": 5}
    producer.update({"buffer.memory": 2000} if client == "java" else {"queue.buffering.max.messages": 3})
    events = [at(0, "slow", "leader", delay__ms=50), at(700, crash, "producer", restart__after__ms=100)]
    sim = Simulation(scenario(events, seed=seed, producer=producer, workload={"messages": 120, "interval.ms": 2}))
    for t, mode in sorted(switches):
        sim.run(t)
        sim.set("producer", "send.mode", mode)
    report = sim.run_to_end()
    assert report.summary["sent"] == 120
    assert report.summary["lost"] + report.summary["processed"] == 120
