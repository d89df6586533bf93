"""LessonRun: waits, locks, learner actions, questions, hints, show me, and moving between steps."""

import pytest

from tutor.lessons import LessonRun, parse_lesson
from tutor.lessons.run import DONE, QUESTION, READY, WAIT
from tutor.sim.spec import Action

from _lessons import small_lesson

WAITS = '''
id = "waits"
title = "Waits"
teaches = "t"

[scenario.topic]
replication.factor = 3

[scenario.broker]
replica.lag.time.max.ms = 2000

[scenario.workload]
messages = 400
interval.ms = 10

[[steps]]
title = "Your turn"
narration = "n"
lock = ["all"]
unlock = ["crash"]
wait = { action = "crash", target = "broker-3", restart.after.ms = 3000, prompt = "Kill broker-3." }

[[steps]]
title = "Set it"
narration = "n"
unlock = ["producer.acks"]
wait = { setting = "producer.acks", value = "1" }

[[steps]]
title = "Until"
narration = "n"
events = [{ at.ms = 100, action = "slow", target = "followers", delay.ms = 5000 }]
wait = { until = "isr == 1", limit.ms = 20000 }

[[steps]]
title = "Fresh"
narration = "n"
restart = true
wait.ms = 50

[steps.set.topic]
replication.factor = 2
'''


def small_run() -> LessonRun:
    """A run of the small lesson."""
    return LessonRun(parse_lesson(small_lesson(), "small.toml"))


def test_time_runs_only_during_a_time_wait():
    """advance() plays a time wait up to its end and then stands still."""
    run = small_run()
    assert run.phase == WAIT and run.now == 0
    run.advance(120)
    assert run.now == 120 and run.phase == WAIT
    run.advance(1000)
    assert run.now == 300 and run.phase == READY
    run.advance(1000)
    assert run.now == 300


def test_locks_and_learner_actions():
    """Locked controls are refused; unlocked ones apply at the present; settings derive others."""
    run = small_run()
    assert run.locked("power-loss") and not run.locked("crash") and run.locked("producer.acks")
    assert not run.apply(Action("power-loss", "leader")).ok
    assert not run.set("producer.acks", "all").ok
    result = run.apply(Action("crash", "broker-3"))
    assert result.ok and "broker-3 process crashed" in result.lines[0]


def test_question_truth_submit_and_hints():
    """A question is judged against the engine's run; hints come one at a time, the last repeats."""
    run = small_run()
    run.next()
    assert run.phase == QUESTION and run.question.id == "how-many"
    assert [run.hint(), run.hint(), run.hint()] == ["first hint", "second hint", "second hint"]
    assert not run.apply(Action("crash", "leader")).ok  # answer first
    verdict = run.submit(20)
    assert not verdict.correct and verdict.value == 19 and verdict.truth == "acknowledged records lost: 19"
    assert verdict.outcome.report.summary["lost_acked"] == 19
    assert run.phase == READY and run.answers["how-many"].first_correct is False


def test_challenge_attempts_and_best():
    """A failed attempt leaves the challenge open; a refused one is not an attempt; success closes it."""
    run = small_run()
    run.jump(2)
    assert run.phase == QUESTION
    refused = run.submit({"producer.linger.ms": 5})
    assert refused.outcome is None and "not one of the settings you may change" in refused.truth
    assert run.submit({"topic.min.insync.replicas": 2}).final is False
    won = run.submit({"producer.acks": "all"})
    assert won.correct and won.final and run.phase == READY
    assert run.answers["fix"].attempts == 2 and run.answers["fix"].solved
    assert run.session.sim.config.producer["acks"] == "all"  # the fixed history replaced the run


def test_a_challenge_verdict_runs_with_the_collector_paused(monkeypatch):
    """The learner waits on a challenge's verdict: no garbage collection runs inside it (a full one over the
    process's older objects cost 0.4 s); the collector runs again once the verdict is in."""
    import gc

    from tutor.lessons import challenge

    seen = []
    real = challenge.attempt

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(challenge, "attempt", watched)
    run = small_run()
    run.jump(2)
    assert gc.isenabled()
    run.submit({"producer.acks": "all"})
    assert seen == [False] and gc.isenabled()


def test_show_me_and_next_skip():
    """show me plays the answer (not scored); next() skips an open question."""
    run = small_run()
    run.next()
    shown = run.show_me()
    assert shown.shown and not shown.correct and run.phase == READY
    run.next()
    assert run.phase == QUESTION
    assert run.next() is False and run.phase == DONE
    assert run.score() == (0, 2)


def test_back_and_jump_replay_exactly():
    """Going back replays the run to the step's start: the same moment, the same state."""
    run = small_run()
    run.next()
    run.submit(19)
    run.next()
    at_step_3 = (run.now, run.snapshot.counts)
    run.back()
    assert run.index == 1 and run.phase == QUESTION and run.now == 300
    run.jump(2)
    assert (run.now, run.snapshot.counts) == at_step_3
    run.restart()
    assert run.index == 0 and run.now == 0 and run.toc()[2].visited
    with pytest.raises(IndexError):
        run.jump(9)


def test_action_setting_until_and_restart_waits():
    """Action and setting waits end on the learner's move; until waits on the condition; restart starts over."""
    run = LessonRun(parse_lesson(WAITS, "waits.toml"))
    assert run.step.wait.prompt == "Kill broker-3." and not run.step.wait.plays
    run.advance(500)
    assert run.now == 0  # the learner's turn: time stands still
    assert run.apply(Action("crash", "broker-2")).ok and run.phase == WAIT  # not the one asked for
    assert run.apply(Action("crash", "broker-3")).ok and run.phase == READY
    assert run.session.interventions[-1].action.params == {"restart.after.ms": 3000}  # as the wait describes it
    run.next()
    assert run.set("producer.acks", "all").ok and run.phase == WAIT
    assert run.set("producer.acks", 1).ok and run.phase == READY
    assert run.session.sim.config.producer["enable.idempotence"] is False  # derived, as the client does
    run.next()
    run.finish_wait()
    assert run.phase == READY and run.live().value("isr") == 1 and not run.notes
    run.next()
    assert run.now == 0 and run.session.sim.config.topic["replication.factor"] == 2
    run.finish_wait()
    assert run.now == 50


def test_back_across_a_restart():
    """Going back over a restart step replays the run before it; forward again starts the new run."""
    run = LessonRun(parse_lesson(WAITS, "waits.toml"))
    run.jump(3)
    before_restart = run.marks[3].t
    run.finish_wait()
    assert run.now == 50
    run.back()
    assert run.index == 2 and run.session.sim.config.topic["replication.factor"] == 3
    run.jump(3)
    assert run.now == 0 and before_restart > 0 and run.session.sim.config.topic["replication.factor"] == 2


def test_the_waits_lesson_checks_clean():
    """The lesson these tests use passes `tutor check` (its waits can all end)."""
    from tutor.lessons.check import check_lesson

    assert check_lesson(parse_lesson(WAITS, "waits.toml")) == []


def test_show_me_on_waits():
    """show me fires the awaited failure and sets the awaited value."""
    run = LessonRun(parse_lesson(WAITS, "waits.toml"))
    assert run.show_me().ok and not run.snapshot.broker("broker-3").up
    run.next()
    run.show_me()
    assert run.session.sim.config.producer["acks"] == "1"


def test_learner_scrubbing_back_does_not_move_the_lesson():
    """Actions happen at the present even when the session's cursor was scrubbed back to look."""
    run = small_run()
    run.finish_wait()
    run.session.seek(100)
    assert run.apply(Action("crash", "broker-3")).ok
    assert run.session.live and run.now == 300
