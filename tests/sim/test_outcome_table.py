"""The outcome table of the Kafka durability facts, one scenario file per row (tests/scenarios)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from tutor.scenario import load_scenario
from tutor.sim.simulation import Simulation

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
SCENARIOS = sorted(p.name for p in SCENARIO_DIR.glob("*.toml"))

#: scenarios whose facts-based [expect] the model does not meet yet, with what is wrong
KNOWN_WRONG: dict[str, str] = {}

#: words every lost record's explanation must contain (case-insensitive): the reason, not just the count
LOST_BECAUSE = {
    "producer-crash-accumulator.toml": ["producer process died", "not told"],
    "buffer-full-max-block.toml": ["told it failed", "max.block.ms"],
    "leader-unreachable-delivery-timeout.toml": ["told it failed", "delivery.timeout.ms"],
    "acks0-leader-power-loss.toml": ["acks=0", "no error", "lost power"],
    "acks1-leader-crash.toml": ["acks=1", "truncated"],
    "acks1-zombie-leader.toml": ["acks=1", "truncated"],
    "acks-all-min-isr1-leader-power-loss.toml": ["acks=all", "committed", "lost power"],
    "all-brokers-power-loss.toml": ["page cache", "committed", "lost power"],
    "unclean-election-stale-replica.toml": ["committed", "unclean", "truncated"],
    "java-consumer-autocommit-worker-thread-crash.toml": ["auto-commit", "not yet processed"],
    "librdkafka-autocommit-offset-store-crash.toml": ["stored offsets", "not yet processed"],
    "librdkafka-autocommit-offset-store-kill.toml": ["auto-commit timer", "not yet processed"],
    "commit-before-processing-crash.toml": ["commit before processing"],
    "c4-auto-offset-reset-latest.toml": ["auto.offset.reset=latest"],
}

#: rows whose reason concerns the acknowledged lost records only (the unacked ones are explained elsewhere)
ACKED_ONLY = {"unclean-election-stale-replica.toml"}

#: words every duplicated record's explanation must contain
DUPLICATED_BECAUSE = {
    "java-consumer-autocommit-poll-loop-crash.toml": ["committed offset", "at-least-once"],
    "commit-after-processing-crash.toml": ["committed offset", "at-least-once"],
    "p7-retry-without-idempotence-duplicates.toml": ["retried", "no idempotence"],
    "p8-after-append-retry-duplicates-3.6.toml": ["NOT_ENOUGH_REPLICAS_AFTER_APPEND", "no idempotence"],
}

#: lines the timeline must show (case-insensitive): the failure happened the way the row says
TIMELINE_SHOWS = {
    "acks-all-min-isr1-leader-crash.toml": ["shrank from [1,2,3] to [1]", "offline"],
    "acks-all-min-isr1-leader-power-loss.toml": ["shrank from [1,2,3] to [1]", "offline",
                                                 "broker-2 truncated", "broker-3 truncated"],
    "acks-all-min-isr2-isr-leader.toml": ["shrank from [1,2,3] to [1]"],
    "acks1-leader-crash.toml": ["elected broker-2", "broker-1 truncated"],
    "acks1-zombie-leader.toml": ["elected broker-2", "broker-1 truncated"],
    "acks-all-zombie-leader.toml": ["elected broker-2", "broker-1 truncated"],
    "unclean-election-stale-replica.toml": ["unclean election broker-3", "broker-1 truncated"],
    "r3-acks1-invisible-under-min-isr-3.7.toml": ["to [1] (broker-3 was fenced)"],
    "r3-acks1-visible-under-min-isr-3.6.toml": ["to [1] (broker-3 was fenced)"],
}


@lru_cache(maxsize=None)
def run(name: str):
    """Load and run one scenario file; returns (scenario, simulation, report)."""
    scenario = load_scenario(SCENARIO_DIR / name)
    sim = Simulation(scenario)
    return scenario, sim, sim.run_to_end()


def explanations(report, fate: str) -> list[tuple[int, str]]:
    """(id, explanation) of every record with this fate."""
    return [(m["id"], m["explanation"]) for m in report.messages if m["fate"] == fate]


def timeline_text(report) -> str:
    """The whole timeline as one lower-case string."""
    return "\n".join(text for _, text in report.timeline).lower()


def first_time(report, pattern: str) -> float:
    """Time of the first timeline line matching a regular expression."""
    return next(t for t, text in report.timeline if re.search(pattern, text))


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN_WRONG[n], strict=True))
                                  if n in KNOWN_WRONG else n for n in SCENARIOS])
def test_expectations_hold(name):
    """Each scenario's [expect] table holds."""
    scenario, _, report = run(name)
    assert scenario.expect, f"{name} has no [expect] table"
    assert report.check(scenario.expect) == []


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_names_its_fact(name):
    """Each scenario file opens with a comment naming the fact it reproduces."""
    first = (SCENARIO_DIR / name).read_text(encoding="utf-8").splitlines()[0]
    assert re.match(r"# Facts? [PBRC]\d", first), first


@pytest.mark.parametrize("name", sorted(LOST_BECAUSE))
def test_lost_records_explain_why(name):
    """Every lost record's explanation gives the row's reason."""
    _, _, report = run(name)
    lost = [(m["id"], m["explanation"]) for m in report.messages
            if m["fate"] == "lost" and (m["acked"] or name not in ACKED_ONLY)]
    assert lost
    for rid, text in lost:
        missing = [w for w in LOST_BECAUSE[name] if w.lower() not in text.lower()]
        assert not missing, f"record {rid}: {missing} not in {text!r}"


@pytest.mark.parametrize("name", sorted(DUPLICATED_BECAUSE))
def test_duplicated_records_explain_why(name):
    """Every duplicated record's explanation gives the row's reason."""
    _, _, report = run(name)
    dups = explanations(report, "duplicated")
    assert dups
    for rid, text in dups:
        missing = [w for w in DUPLICATED_BECAUSE[name] if w.lower() not in text.lower()]
        assert not missing, f"record {rid}: {missing} not in {text!r}"


@pytest.mark.parametrize("name", sorted(TIMELINE_SHOWS))
def test_timeline_tells_the_story(name):
    """The timeline shows the ISR changes, elections and truncations the row depends on."""
    _, _, report = run(name)
    text = timeline_text(report)
    assert [w for w in TIMELINE_SHOWS[name] if w.lower() not in text] == []


def test_acks1_lost_records_were_acked_from_the_page_cache_only():
    """acks=1 (P4): the lost records were acked while only the old leader had them."""
    _, _, report = run("acks1-leader-crash.toml")
    for rid, text in explanations(report, "lost"):
        assert "only in broker-1's page cache" in text, (rid, text)


def test_min_isr2_refuses_before_appending():
    """P8: with the ISR at the leader alone, acks=all writes are refused with NOT_ENOUGH_REPLICAS."""
    _, sim, report = run("acks-all-min-isr2-isr-leader.toml")
    rejected = [s for b in sim.ledger.batches for s in b.steps if s[1] == "rejected"]
    assert rejected and all(s[3] == "NOT_ENOUGH_REPLICAS" for s in rejected)
    shrink = first_time(report, r"shrank from \[1,2,3\] to \[1\]")
    assert not any(told and told[0] == "acked" and told[1] > shrink for told in sim.ledger.told)


def test_offline_until_the_last_isr_member_returns():
    """R6: with unclean election off, t-0 has no leader from the fence until broker-1 is back."""
    _, _, report = run("acks-all-min-isr1-leader-crash.toml")
    offline = first_time(report, "OFFLINE")
    back = first_time(report, "broker-1 is back")
    elected = [t for t, text in report.timeline if "leader of t-0" in text and t > offline]
    assert elected and min(elected) >= back


def test_unclean_election_reuses_offsets():
    """R6: after the unclean election new records take the offsets the committed ones had."""
    _, sim, report = run("unclean-election-stale-replica.toml")
    leader = sim.brokers[sim.controller.leader]
    lost = set(report.ids("lost_acked"))
    assert 0 in lost and leader.replica.log.record_at(0) not in lost


def test_unclean_election_leader_accepts_the_retried_batch():
    """After the unclean election, the batch in flight at the crash is appended, not expired."""
    _, _, report = run("unclean-election-stale-replica.toml")
    assert report.value("send_errors") == 0
    assert report.value("lost") == 60


def test_offline_line_names_the_unclean_setting_in_force():
    """The OFFLINE timeline line does not contradict unclean.leader.election.enable = true."""
    _, _, report = run("unclean-election-stale-replica.toml")
    assert "unclean.leader.election.enable=false" not in timeline_text(report)


def test_acks0_explanation_names_the_power_loss():
    """acks=0 records sent to the powerless leader are explained by its power loss."""
    _, _, report = run("acks0-leader-power-loss.toml")
    for rid, text in explanations(report, "lost"):
        assert "lost power" in text, (rid, text)


def test_r3_acks1_writes_invisible_until_the_isr_recovers_on_37():
    """R3, 3.7: records acked while the ISR was below min.insync.replicas are read only after it recovered."""
    _, sim, report = run("r3-acks1-invisible-under-min-isr-3.7.toml")
    shrink = first_time(report, r"to \[1\] \(broker-3 was fenced\)")
    recovered = first_time(report, r"ISR for t-0 expanded from \[1\] to")
    written_under = [rid for rid, told in enumerate(sim.ledger.told) if told and told[1] > shrink]
    assert len(written_under) > 50
    assert min(sim.ledger.processed[rid][0] for rid in written_under) > recovered


def test_r3_acks1_writes_visible_at_once_on_36():
    """R3, before 3.7: the same records are read while the ISR is still the leader alone."""
    _, sim, report = run("r3-acks1-visible-under-min-isr-3.6.toml")
    shrink = first_time(report, r"to \[1\] \(broker-3 was fenced\)")
    recovered = first_time(report, r"ISR for t-0 expanded from \[1\] to")
    written_under = [rid for rid, told in enumerate(sim.ledger.told) if told and told[1] > shrink]
    assert len(written_under) > 50
    assert max(sim.ledger.processed[rid][0] for rid in written_under) < recovered


def test_idempotence_run_did_retry():
    """P5: the idempotent run really retried appended batches; the leader answered them from its state."""
    _, sim, _ = run("p7-retry-with-idempotence-no-duplicates.toml")
    steps = [s[1] for b in sim.ledger.batches for s in b.steps]
    assert steps.count("sent") > len(sim.ledger.batches) and "deduplicated" in steps


@pytest.mark.parametrize("name", ["p8-after-append-retry-duplicates-3.6.toml",
                                  "p8-after-append-retry-idempotent-3.6.toml"])
def test_p8_isr_shrink_after_append_is_answered_after_append(name):
    """P8 before 3.7: requests appended before the ISR shrank are answered NOT_ENOUGH_REPLICAS_AFTER_APPEND."""
    _, sim, _ = run(name)
    errors = {s[3] for b in sim.ledger.batches for s in b.steps if s[1] == "error"}
    assert {"NOT_ENOUGH_REPLICAS_AFTER_APPEND", "NOT_ENOUGH_REPLICAS"} <= errors


def test_p8_idempotent_retry_is_recognised():
    """P5: the idempotent producer's retries after NOT_ENOUGH_REPLICAS_AFTER_APPEND are de-duplicated."""
    _, sim, _ = run("p8-after-append-retry-idempotent-3.6.toml")
    assert any(s[1] == "deduplicated" for b in sim.ledger.batches for s in b.steps)


def test_zombie_leader_acks_nothing_with_acks_all():
    """R8: broker-1 answers no acks=all request while it is cut off from the controller and followers."""
    _, sim, report = run("acks-all-zombie-leader.toml")
    cut, healed = first_time(report, "network partition"), first_time(report, "network healed")
    zombie_writes = 0
    for b in sim.ledger.batches:
        sent_to = [s[2] for s in b.steps if s[1] == "sent" and s[0] <= b.outcome[1]]
        zombie_writes += any(s[1] == "appended" and s[2] == "broker-1" and s[0] > cut for s in b.steps)
        assert not (cut < b.outcome[1] < healed and sent_to[-1] == "broker-1"), b.steps
    assert zombie_writes


def test_duplicate_explanation_without_consumer_is_complete():
    """A record written twice, with no consumer, is not explained with an empty 'processed at'."""
    _, _, report = run("p8-after-append-retry-duplicates-3.6.toml")
    for rid, text in explanations(report, "duplicated"):
        assert not text.rstrip().endswith("processed at"), (rid, text)


def test_flush_on_every_message_is_the_only_difference():
    """B1: the no-loss power-loss run differs from the lossy one only by log.flush.interval.messages = 1."""
    lossy, _, _ = run("all-brokers-power-loss.toml")
    safe, _, _ = run("all-brokers-power-loss-flush.toml")
    assert safe.given["broker"] == {"log.flush.interval.messages": 1} and "broker" not in lossy.given
    assert {k: v for k, v in safe.given.items() if k != "broker"} == lossy.given
    assert safe.events == lossy.events
