"""Answer keys are checked against the engine: a key that disagrees with the simulation fails."""

import pytest

from tutor.lessons import parse_lesson
from tutor.lessons.check import check_lesson

from _lessons import small_lesson

CHOICE = '''
[[steps]]
title = "Choose"
narration = "n"
[steps.question]
kind = "choice"
prompt = "p"
explanation = "e"
then = [{ at.ms = 0, action = "crash", target = "leader", restart.after.ms = 15000 }]
[[steps.question.choices]]
text = "nothing lost"
claim = { lost_acked = 0 }
FIRST
[[steps.question.choices]]
text = "some lost"
claim = { lost_acked = { min = 1 } }
SECOND
'''


def problems(text: str) -> list[str]:
    """check_lesson's problems for a lesson text, as lines."""
    return [str(p) for p in check_lesson(parse_lesson(text, "x.toml"))]


def test_small_lesson_is_consistent_with_the_engine():
    """The small lesson's keys match the engine."""
    assert problems(small_lesson()) == []


def test_wrong_number_key_fails_and_names_the_step():
    """A number key the engine disagrees with is an error naming the file and the step."""
    assert problems(small_lesson(answer=18)) == [
        "x.toml: step 2 \"Predict\": [steps.question]: the key says 18 but the engine's lost_acked is 19"]


def test_wrong_choice_key_fails():
    """Keying the choice that does not hold fails; keying the one that does passes."""
    # by step 4 the challenge's solution (acks=all from the start) is in force: the crash loses nothing
    right = small_lesson() + CHOICE.replace("FIRST", "correct = true").replace("SECOND", "")
    wrong = small_lesson() + CHOICE.replace("FIRST", "").replace("SECOND", "correct = true")
    assert problems(right) == []
    assert problems(wrong) == ["x.toml: step 4 \"Choose\": [steps.question]: the key says B but the engine's "
                               "run makes A hold"]


def test_wrong_pick_key_fails():
    """A pick key must be exactly the engine's set."""
    text = small_lesson().replace('kind = "number"', 'kind = "pick"').replace(
        'measure = "lost_acked"\nanswer = 19', 'measure = "lost_acked_ids"\nanswer = "10-29"')
    assert problems(text) == ["x.toml: step 2 \"Predict\": [steps.question]: the key says 10-29 but the "
                              "engine's lost_acked_ids is 11-29"]
    assert problems(text.replace('"10-29"', '"11-29"')) == []


def test_challenge_whose_goal_already_holds_or_solution_fails():
    """A challenge must be unmet as it stands and met by its solution."""
    easy = small_lesson().replace("goal = { lost_acked = 0 }", "goal = { sent = 60 }")
    assert any("the goal already holds without any change" in p for p in problems(easy))
    bad = small_lesson().replace('solution = { "producer.acks" = "all" }', 'solution = { "producer.acks" = "0" }')
    assert any("the solution does not meet the goal: acknowledged records lost:" in p for p in problems(bad))


def test_par_must_match_the_solution_and_be_the_best():
    """Par is the solution's measure, and no tried setting beats it."""
    text = small_lesson().replace('explanation = "acks=all waits for the ISR."',
                                  'explanation = "acks=all waits for the ISR."\npar = { measure = "sent", value = 61 }')
    assert any("par is 61 but the solution's sent is 60" in p for p in problems(text))
    text = small_lesson().replace(
        'explanation = "acks=all waits for the ISR."',
        'explanation = "acks=all waits for the ISR."\npar = { measure = "acked", value = 60, tolerance = 0 }').replace(
        "goal = { lost_acked = 0 }", "goal = { lost_acked = 0, lost = { max = 60 } }")
    assert problems(text) == []


def test_a_wait_that_never_ends_is_reported():
    """An until-wait whose condition never holds is an error."""
    text = small_lesson().replace("wait.ms = 300", 'wait = { until = "isr == 0", limit.ms = 500 }')
    assert problems(text)[0] == ("x.toml: step 1 \"Watch\": wait until: waited 500 ms but this never happened: "
                                 "ISR size: 0")


def test_a_wait_for_a_locked_control_is_reported():
    """Waiting for a failure the step keeps locked can never end by the learner's hand."""
    text = small_lesson().replace('unlock = ["crash"]', "").replace(
        "wait.ms = 300", 'wait = { action = "crash", target = "leader" }')
    assert "waits for crash, which is locked" in problems(text)[0]


def test_every_winning_answer_is_listed():
    """The check lists each winning answer it found, with the step."""
    from tutor.lessons.check import check_lesson

    wins: list[str] = []
    assert check_lesson(parse_lesson(small_lesson(), "x.toml"), wins) == []
    assert wins == ['step 3 "Fix it": winning answers: producer.acks = "all"']


@pytest.mark.parametrize("cores", [1, 2])
def test_the_winners_search_is_the_same_in_workers(monkeypatch, cores):
    """Trials played in forked workers list the same winning answers as trials played in turn."""
    from tutor.lessons import check

    monkeypatch.setattr(check, "_cores", lambda: cores)
    monkeypatch.setattr(check, "MIN_TRIALS_PER_WORKER", 1)
    wins: list[str] = []
    check.check_lesson(parse_lesson(small_lesson(), "x.toml"), wins)  # acks and min.insync.replicas tried
    assert wins == ['step 3 "Fix it": winning answers: producer.acks = "all"']


def test_a_value_must_be_named_with_its_key():
    """Naming the key without the winning value is not enough for a choice setting."""
    text = small_lesson().replace('explanation = "acks=all waits for the ISR."',
                                  'explanation = "Change the acks setting."')
    assert problems(text) == ['x.toml: step 3 "Fix it": [steps.question]: the explanation does not name every '
                              'winning answer: producer.acks = all also meet the goal (name each setting '
                              'and value in the explanation)']


def test_a_wrong_choice_says_why_it_is_wrong():
    """The feedback of the picked choice comes with the verdict; the right choice's verdict has none."""
    from tutor.lessons import LessonRun
    from tutor.lessons.run import QUESTION

    text = small_lesson() + CHOICE.replace("FIRST", "correct = true").replace(
        "SECOND", 'feedback = "Not with acks=all from the start."')
    run = LessonRun(parse_lesson(text, "x.toml"))
    while not (run.phase == QUESTION and run.question.kind == "choice"):
        if run.phase == QUESTION:
            run.show_me()
        run.next()
    assert run.submit(1).notes == ["Not with acks=all from the start."]


def test_thin_choice_questions_are_warned_about():
    """Two choices, or a wrong one without feedback: a warning line, not a failure."""
    from tutor.lessons.check import check_lesson

    wins: list[str] = []
    text = small_lesson() + CHOICE.replace("FIRST", "correct = true").replace("SECOND", "")
    assert check_lesson(parse_lesson(text, "x.toml"), wins) == []
    assert wins[:2] == ['warning: step 4 "Choose": 2 choices; a choice question needs at least three',
                        'warning: step 4 "Choose": choice B has no feedback (the misconception it stands '
                        'for, and why it is wrong)']


def test_a_lesson_names_only_labs_that_exist():
    """`labs` in a lesson must name real labs; the error lists the ones there are."""
    text = small_lesson().replace('prerequisites = []', 'prerequisites = []\nlabs = ["auto-comit"]')
    got = problems(text)
    assert len(got) == 1 and got[0].startswith("x.toml: labs: unknown lab 'auto-comit'; the labs are auto-commit")
    assert problems(text.replace("auto-comit", "auto-commit")) == []


def at_the_challenge():
    """The small lesson played (its questions shown) up to its challenge."""
    from tutor.lessons import LessonRun
    from tutor.lessons.run import QUESTION

    run = LessonRun(parse_lesson(small_lesson(), "x.toml"))
    while not (run.phase == QUESTION and run.question.kind == "challenge"):
        if run.phase == QUESTION:
            run.show_me()
        run.next()
    return run


def test_answers_that_make_the_same_run_share_one_trial(monkeypatch):
    """min.insync.replicas = 1 (the default) and acks = "1" (as given) start the same run: played once, same
    result; acks = "all" is another run."""
    from tutor.lessons import check

    run = at_the_challenge()
    played = []
    real = check._trial
    monkeypatch.setattr(check, "_trial", lambda r, q, combo, *watch: played.append(combo) or real(r, q, combo, *watch))
    trials = check.Trials(run, run.question)
    same = trials.get([("topic", "min.insync.replicas", 1)])
    assert trials.get([("producer", "acks", "1")]) == same and same[0] is False
    assert trials.get([("producer", "acks", "all")])[0] is True
    assert played == [[("topic", "min.insync.replicas", 1)], [("producer", "acks", "all")]]


def test_the_same_answer_at_the_same_point_is_played_once(monkeypatch):
    """The check plays the solution, then shows it: one run; once the run moves on, the answer is played again."""
    from tutor.lessons import challenge

    run = at_the_challenge()
    played = []
    real = challenge.play_afresh
    monkeypatch.setattr(challenge, "play_afresh", lambda r, q, c, **kw: played.append(c) or real(r, q, c, **kw))
    answer = [("producer", "acks", "all")]
    first = challenge.play(run, run.question, answer)
    again = challenge.play(run, run.question, list(answer))
    assert again[1] is first[1] and again[0] == first[0] == answer and len(played) == 1
    run.session.seek(run.now + 10)
    assert challenge.play(run, run.question, answer)[1] is not first[1] and len(played) == 2


def test_an_answer_that_keeps_the_start_configuration_reads_the_lesson_run(monkeypatch):
    """min.insync.replicas = 1 (the default) starts the lesson's own run: its trial takes that run, already played
    out to see whether the goal holds unchanged, and gets the same result as playing it again."""
    from tutor.lessons import check

    run = at_the_challenge()
    q, keep = run.question, [("topic", "min.insync.replicas", 1)]
    played = []
    real = check._trial
    monkeypatch.setattr(check, "_trial", lambda r, q, combo, *watch: played.append(combo) or real(r, q, combo, *watch))
    trials = check.Trials(run, q)
    trials.add_unchanged(run.played_out())
    assert trials.get(keep) == real(run, q, keep) == (False, None)
    assert played == []


def test_the_unchanged_run_is_played_once_per_moment(monkeypatch):
    """Two readers of the run played out unchanged at one moment share one play; after the run moves on (the
    challenge shown, the run restarted with its solution) it is played anew."""
    from tutor.lessons import LessonRun

    run = at_the_challenge()
    forks = []
    real = LessonRun.fork
    monkeypatch.setattr(LessonRun, "fork", lambda self, changes=(): forks.append(changes) or real(self, changes))
    first = run.played_out()  # (played, or read on from the question before: see the test below)
    played = len(forks)
    assert run.played_out() is first and len(forks) == played
    run.show_me()
    again = run.played_out()
    assert again is not first and len(forks) == played + 1
    assert again.report.summary["lost_acked"] < first.report.summary["lost_acked"]


def _at_the_challenge(monkeypatch, allowed: str):
    """The small lesson with these allowed settings, run to its challenge: (run, question, the combinations
    check._trial is asked to play from now on, the real _trial)."""
    from tutor.lessons import LessonRun, check
    from tutor.lessons.run import QUESTION

    text = small_lesson().replace('allowed = ["producer.acks", "topic.min.insync.replicas"]', f"allowed = [{allowed}]")
    run = LessonRun(parse_lesson(text, "x.toml"), keep_past=False)
    while not (run.phase == QUESTION and run.question.kind == "challenge"):
        run.next()
    played: list = []
    real = check._trial
    monkeypatch.setattr(check, "_trial", lambda *a, **k: played.append(a[2]) or real(*a, **k))
    return run, run.question, played, real


def test_an_answer_alike_a_played_one_takes_its_result_without_playing(monkeypatch):
    """A start challenge's trials note which allowed settings their run read. An answer that differs from a
    played one only in settings that run never read (log.flush.interval.ms here: the log flusher first runs
    30 s after a broker starts, and this run is over sooner) takes its result unplayed; an answer that differs
    in a setting the run read (acks) is played. Each result is the one playing it gives."""
    from tutor.lessons import check

    run, q, played, real = _at_the_challenge(monkeypatch, '"producer.acks", "topic.min.insync.replicas", '
                                                          '"broker.log.flush.interval.ms"')
    trials = check.Played(run, q)
    flush = [[("broker", "log.flush.interval.ms", ms)] for ms in (10, 100, 1000)]
    results = [trials.trial(combo) for combo in flush]
    assert played == flush[:1]
    assert ("broker", "log.flush.interval.ms") not in trials.runs[0][1] and ("producer", "acks") in trials.runs[0][1]
    fixed = trials.trial([("producer", "acks", "all")])
    assert played == flush[:1] + [[("producer", "acks", "all")]]
    assert results == [real(run, q, combo) for combo in flush] and results[0] == (False, None)
    assert fixed == real(run, q, [("producer", "acks", "all")]) == (True, None)


def test_answers_above_the_bound_a_played_run_compared_take_its_result(monkeypatch):
    """The writer only compares log.flush.interval.messages with the records not yet flushed, and 60 are written:
    a run with 1000 notes a bound of at most 60 for it, so 100000 and "never" (unset) take that run's result
    unplayed, while 1 (within the bound: an fsync after every record) is played. Each result is the one playing
    it gives."""
    from tutor.lessons import check

    run, q, played, real = _at_the_challenge(monkeypatch, '"producer.acks", "broker.log.flush.interval.messages"')
    trials = check.Played(run, q)
    key = ("broker", "log.flush.interval.messages")
    combos = [[(*key, n)] for n in (1000, 100000, None, 1)]
    results = [trials.trial(combo) for combo in combos]
    assert played == [combos[0], combos[3]]
    assert key not in trials.runs[0][1] and 0 < trials.runs[0][2][key] <= 60
    assert results == [real(run, q, combo) for combo in combos]
    settings, bounds = trials.runs[0][0], trials.runs[0][2]
    far = check._flat(run.session.start_config(combos[1]))
    assert check._alike(far, settings, trials.watch, frozenset(), bounds)
    assert not check._alike(far, settings, trials.watch, frozenset({key}), bounds)  # a plain read wins


def _fresh_truth(run):
    """The open question's answer key from the run played out anew (a copy of now, not the one kept)."""
    from tutor.lessons.fork import fork
    from tutor.lessons.judge import truth_of

    outcome = fork(run.session.sim, run.future()).out()
    return truth_of(run.question, outcome), outcome


def test_a_later_question_reads_on_the_run_an_earlier_one_played_out(monkeypatch):
    """Lesson 03 asks what happened after the crash, then how many records it cost, with only the crash's own
    events between: the second question takes the run the first played out (no second play), and its answer
    key, event count and end are those of a fresh play."""
    from pathlib import Path

    from tutor.lessons import LessonRun, load_lesson
    from tutor.lessons.run import QUESTION, WAIT

    run = LessonRun(load_lesson(Path("tutor/data/lessons/03-acks-0.toml")), keep_past=False)
    forks, real = [], LessonRun.fork
    monkeypatch.setattr(LessonRun, "fork", lambda self, changes=(): forks.append(run.index) or real(self, changes))
    read_on = []
    while True:
        if run.phase == WAIT:
            run.finish_wait()
        if run.phase == QUESTION and run.question.kind != "challenge" and run.question.after_ms is None:
            before = len(forks)
            truth, outcome = run.truth()
            fresh, played = _fresh_truth(run)
            assert truth == fresh
            assert (outcome.sim.loop.steps, outcome.sim.now) == (played.sim.loop.steps, played.sim.now)
            if len(forks) == before:
                read_on.append(run.question.id)
        if run.phase == QUESTION:
            run.show_me()
        if not run.next():
            break
    assert read_on == ["acks0-lost"]


def test_a_run_changed_since_is_played_out_anew():
    """A setting changed after the earlier question's run was played out: that run no longer tells this one's
    future, which is played anew (its answer key is the fresh play's)."""
    from pathlib import Path

    from tutor.lessons import LessonRun, load_lesson
    from tutor.lessons.run import QUESTION

    run = LessonRun(load_lesson(Path("tutor/data/lessons/03-acks-0.toml")), keep_past=False)
    while not (run.phase == QUESTION and run.question.id == "acks0-told"):
        run.next()
    told = run.played_out()
    run.show_me()
    run.next()
    assert run.question.id == "acks0-lost"
    run.session.set("producer", "linger.ms", 20)  # (as a setting changed by hand would be)
    lost = run.played_out()
    assert lost is not told
    assert run.truth()[0] == _fresh_truth(run)[0]
