"""The Rich report: grouping of record ids, loud lost-acked records, a compact timeline."""

from types import SimpleNamespace

from rich.console import Console

from tutor.report_view import group_runs, times_processed
from tutor.text.report import print_report


def message(i, fate="processed", acked=True, lost_at=None, explanation="", times=1):
    """One entry of Report.messages."""
    return {"id": i, "acked": acked, "fate": fate, "lost_at": lost_at, "explanation": explanation,
            "times_processed": times}


def report(messages, timeline=()):
    """A Report-shaped object with a summary matching nothing in particular."""
    summary = {"sent": len(messages), "acked": 0, "send_errors": 0, "unconfirmed": 0, "processed": 0,
               "duplicates": 0, "lost": 0, "lost_acked": 0, "lost_at": {"producer": 0, "broker": 0, "consumer": 0}}
    return SimpleNamespace(title="a title", seed=3, end_ms=1500.0, summary=summary, messages=list(messages),
                           timeline=list(timeline))


def render(rep, failures=None) -> str:
    """The report as plain text, 120 columns wide."""
    console = Console(record=True, width=120, color_system=None)
    print_report(rep, console, failures)
    return console.export_text()


def test_consecutive_ids_with_one_explanation_form_a_range():
    """25..29 with the same explanation become "25-29"."""
    runs = group_runs([message(i, "lost", lost_at="broker", explanation="gone") for i in range(25, 30)])
    assert [(r.ids, r.count, r.where) for r in runs] == [("25-29", 5, "broker")]


def test_a_gap_or_a_new_explanation_starts_a_new_range():
    """Ids 1,2 then 4, and 5 with another reason, are three runs."""
    ms = [message(1, explanation="a"), message(2, explanation="a"), message(4, explanation="a"),
          message(5, explanation="b")]
    assert [r.ids for r in group_runs(ms)] == ["1-2", "4", "5"]


def test_duplicates_group_by_times_processed():
    """Duplicates processed a different number of times are not merged."""
    ms = [message(1, "duplicated", times=2), message(2, "duplicated", times=3)]
    assert [(r.ids, r.where) for r in group_runs(ms, times_processed)] == [("1", "2x"), ("2", "3x")]


def test_lost_acked_come_first_and_are_grouped():
    """The lost-acked panel comes before the never-acked one, with ranges and reasons."""
    ms = [message(i) for i in range(25)]
    ms += [message(i, "lost", True, "broker", "acked by the leader only; it lost power") for i in range(25, 30)]
    ms += [message(30, "lost", False, "producer", "still in the accumulator")]
    ms += [message(31, "duplicated", explanation="retried after a lost ack", times=2)]
    text = render(report(ms))
    assert text.index("Lost although acknowledged: 5") < text.index("Lost, never acknowledged: 1")
    assert "25-29" in text and "acked by the leader only; it lost power" in text
    assert "Processed more than once: 1" in text and "2x" in text


def test_clean_run_says_so():
    """No losses and no duplicates: one green sentence instead of panels."""
    assert "Every record was processed exactly once." in render(report([message(0)]))


def test_long_timeline_is_elided():
    """A long timeline keeps its beginning and end and says how many lines were skipped."""
    timeline = [(float(i), f"event number {i}") for i in range(100)]
    text = render(report([message(0)], timeline))
    assert "event number 0" in text and "event number 99" in text
    assert "event number 50" not in text and "76 more events" in text


def test_heading_and_failures():
    """The title, seed and duration head the report; failed expectations end it."""
    text = render(report([message(0)]), ["lost: expected 0, got 2"])
    assert text.startswith("a title\nseed 3, 1.50 s simulated")
    assert "Expectations failed:" in text and "lost: expected 0, got 2" in text


def test_explanations_differing_only_in_numbers_merge_into_a_range():
    """"acked at 117 ms" ... "acked at 297 ms" become one run reading "at 117–297 ms"."""
    ms = [message(i, "lost", lost_at="broker", explanation=f"acked at {100 + 10 * i} ms; broker-1 lost power at 300 ms")
          for i in range(3)]
    [run] = group_runs(ms)
    assert (run.ids, run.explanation) == ("0-2", "acked at 100–120 ms; broker-1 lost power at 300 ms")


def test_names_with_digits_are_not_numbers():
    """broker-1 and broker-2 are different wording, so the records do not merge."""
    ms = [message(0, explanation="only on broker-1"), message(1, explanation="only on broker-2")]
    assert [r.explanation for r in group_runs(ms)] == ["only on broker-1", "only on broker-2"]


def test_numbers_with_thousands_separators_stay_whole():
    """"at 3,003 ms" ... "at 3,997 ms" read "at 3,003–3,997 ms", never "3,3"."""
    ms = [message(0, explanation="acked at 3,003 ms; lost power at 5,000 ms"),
          message(1, explanation="acked at 3,997 ms; lost power at 5,000 ms")]
    [run] = group_runs(ms)
    assert run.explanation == "acked at 3,003–3,997 ms; lost power at 5,000 ms"
