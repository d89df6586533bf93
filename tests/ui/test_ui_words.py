"""The sandbox speaks Kafka's words: true/false, why a derived setting moved, one sense of "committed"
per place, no cryptic abbreviations, acks=0 never called acknowledged, and the waits it is in."""

from rich.console import Console

from tutor.report_view import report_renderables
from tutor.ui.frame import Losses
from tutor.ui.look import LOOKS
from tutor.sim.snapshot import COMMITTED
from tutor.ui.widgets.event_log import EventLog
from tutor.ui.widgets.ledger_bar import ledger_text
from tutor.ui.widgets.pipeline import PipelineView

from uihelp import aio, driver, footer_keys, goto, plain, sandbox, scenario


def test_defaults_reset_kafka_properties_and_keep_the_workload():
    """d: Kafka's and the clients' properties go back to their defaults; the workload and the
    application's own modes (processing time) stay as the learner set them."""
    d = driver()
    d.change({("workload", "interval.ms"): 5, ("consumer", "processing.ms"): 50, ("topic", "min.insync.replicas"): 2})
    d.preset("defaults")
    cfg = d.config()
    assert cfg["topic"]["min.insync.replicas"] == 1
    assert cfg["workload"]["interval.ms"] == 5 and cfg["consumer"]["processing.ms"] == 50


def test_a_derived_setting_says_what_changed_it_and_values_read_as_kafka_writes_them():
    """acks=1 turns the Java client's defaulted enable.idempotence off (KAFKA-13598); the toast says so,
    with false, not Python's False; the event log writes the same."""
    d = driver()
    lines = d.change({("producer", "acks"): "1"}).lines
    derived = next(x for x in lines if x.startswith("enable.idempotence"))
    assert derived.startswith("enable.idempotence = false (") and "because acks=1" in derived
    assert "False" not in " ".join(lines) and "True" not in " ".join(lines)
    settings = [e.text for e in d.session.sim.ledger.events if e.kind == "setting"]
    assert "enable.idempotence = false" in settings


def test_ledger_names_where_records_were_lost_in_words():
    """No "p175/b0/c0": the places with losses, in words, at any width."""
    lo = Losses(sent=300, acked=200, lost=175, at_producer=175)
    for wide in (False, True):
        text = ledger_text(lo, "1,2,3", "10", wide).plain
        assert "(175 at the producer)" in text and "p175" not in text


def test_acks0_is_never_called_acknowledged():
    """P4: with acks=0 the producer counts a record as sent once it is written out; the ledger and the
    report say so instead of "acknowledged"."""
    text = ledger_text(Losses(sent=10, acked=10, lost=4, lost_acked=4, at_producer=4), "1", "0", True,
                       acks0=True).plain
    assert "counted sent (acks=0, no ack) 10" in text and "LOST THOUGH SENT 4" in text and "acked 10" not in text
    d = driver(scenario(producer={"acks": "0"}, workload={"messages": 100}))
    d.seek(2000)
    d.fail("power_loss")
    d.seek(6000)
    report = d.settle_copy()()
    console = Console(width=140, record=True)
    for part in report_renderables(report):
        console.print(part)
    out = console.export_text()
    assert "counted as sent by the producer (acks=0: no acknowledgement)" in out
    assert "acknowledged to the producer" not in out and "lost although acknowledged" not in out


def test_committed_has_one_sense_per_place():
    """The legend's ≡ is the log's (below the HW); the consumer box shows the group's committed offset."""
    assert "HW" in LOOKS[COMMITTED].label and "committed" not in LOOKS[COMMITTED].label


@aio
async def test_broker_and_consumer_boxes_fit_and_say_things_in_words():
    """At 120 columns: no "disk<", the consumer's rows end inside its box, the header keeps the HW."""
    async with sandbox(size=(120, 40)) as (screen, pilot):
        await goto(screen, pilot, 3000)
        text = screen.query_one(PipelineView).text()
        assert "disk<" not in text and "on disk" in text
        assert "committed" in text and "HW" in text.splitlines()[0]
        assert "auto-commit on, every 5,000 ms │" in text and "· java " in text


@aio
async def test_a_stopped_consumer_reads_down_once():
    """The consumer box title is "consumer · DOWN", never "down · DOWN"."""
    async with sandbox(size=(120, 40)) as (screen, pilot):
        await goto(screen, pilot, 2000)
        await pilot.press("C")
        await pilot.pause()
        text = screen.query_one(PipelineView).text()
        assert "consumer · DOWN" in text and "down · DOWN" not in text


@aio
async def test_the_event_log_counts_down_the_session_wait():
    """After a power loss the event log names the wait, its setting and value, with a countdown."""
    async with sandbox(size=(120, 40)) as (screen, pilot):
        await goto(screen, pilot, 3000)
        await pilot.press("L")
        await goto(screen, pilot, 5000)
        log = plain(screen.query_one(EventLog).render(), 120)
        assert "controller: broker-1's session expires in" in log and "(broker.session.timeout.ms = 9000)" in log


@aio
async def test_footer_shows_the_speed_keys_and_fits_120_columns():
    """The speed keys are in the footer, help and quit come before the failure keys, and every footer key
    fits at 120 columns."""
    async with sandbox(size=(120, 40)) as (screen, pilot):
        await goto(screen, pilot, 1000)
        keys = await footer_keys(screen, pilot)
        labels = [k.description for k in keys]
        assert "speed" in labels and labels.index("help") < labels.index("quit") < labels.index("kill")
        assert all(k.region.right <= 120 for k in keys)


@aio
async def test_footer_keeps_help_and_quit_at_80_columns():
    """However many failure keys a run offers, a narrow footer still shows help and quit."""
    async with sandbox(size=(80, 24)) as (screen, pilot):
        await goto(screen, pilot, 1000)
        await pilot.press("L")  # a broker down: the footer offers R restart as well
        await goto(screen, pilot, 2000)
        shown = {k.description for k in await footer_keys(screen, pilot) if k.region.right <= 80}
        assert {"help", "quit", "play"} <= shown
