"""The lesson format: what loads, and one-line errors that name the file, the step and the key."""

import pytest

from tutor.lessons import LessonError, load_lesson, parse_lesson

from _lessons import small_lesson


def error(text: str) -> str:
    """The error a lesson text raises."""
    with pytest.raises(LessonError) as info:
        parse_lesson(text, "x.toml")
    return str(info.value)


def test_small_lesson_loads():
    """The small lesson's parts come out as written."""
    lesson = parse_lesson(small_lesson(), "small.toml")
    assert lesson.id == "small" and len(lesson.steps) == 3
    assert lesson.steps[0].wait.kind == "ms" and lesson.steps[0].wait.ms == 300
    q = lesson.steps[1].question
    assert q.kind == "number" and q.answer == 19 and q.then[0].action == "crash"
    assert lesson.steps[2].question.solution == {"producer.acks": "all"}
    assert [i for i, _ in lesson.questions()] == [1, 2]


def test_unknown_top_key_suggests():
    """A misspelt top-level key is named with a suggestion."""
    assert error(small_lesson().replace("teaches =", "teachs =")) == "x.toml: teachs: unknown key; did you mean teaches?"


def test_bad_id():
    """Ids are short lowercase words."""
    assert "id: takes a short id" in error(small_lesson().replace('id = "small"', 'id = "Small One"'))


def test_scenario_errors_name_the_nested_table():
    """A scenario error names [scenario.producer], as the author wrote it."""
    text = small_lesson().replace("acks = 1\n", "acks = 1\nlingr.ms = 5\n", 1)
    assert error(text) == "x.toml: [scenario.producer] lingr.ms: unknown key; did you mean linger.ms?"


def test_scenario_expect_is_refused():
    """[scenario.expect] has no meaning in a lesson."""
    assert "[scenario.expect]" in error(small_lesson() + "\n[scenario.expect]\nlost = 0\n")


def test_step_errors_name_the_step():
    """A bad wait names the step by number and title."""
    text = small_lesson().replace("wait.ms = 300", "wait.ms = -1")
    assert error(text) == 'x.toml: step 1 "Watch": wait ms: takes a number of milliseconds >= 0 and at most 3600000 (one hour of simulated time, the longest a run may last), not -1'


def test_unknown_step_key():
    """Unknown step keys get a suggestion."""
    assert 'step 1 "Watch": narattion: unknown key; did you mean narration?' in error(
        small_lesson().replace('narration = "Records flow."', 'narattion = "Records flow."'))


def test_wait_needs_one_kind():
    """A wait with two kinds is refused."""
    assert "needs exactly one of ms, action, setting or until" in error(
        small_lesson().replace("wait.ms = 300", 'wait = { ms = 300, until = "isr == 1" }'))


def test_wait_condition_unknown_metric():
    """A condition naming an unknown figure suggests one."""
    assert "wait until: unknown metric 'isrr'; did you mean isr?" in error(
        small_lesson().replace("wait.ms = 300", 'wait = { until = "isrr == 1" }'))


def test_step_event_errors_use_the_step_table_name():
    """Event errors name [[steps.events]] #N."""
    text = small_lesson().replace("wait.ms = 300", 'wait.ms = 300\nevents = [{ at.ms = 0, action = "crash", '
                                                   'target = "broker-9" }]')
    assert 'x.toml: step 1 "Watch": [[steps.events]] #1 target: unknown node or role "broker-9"' in error(text)


def test_step_events_refuse_when_processed():
    """Count-triggered events belong in the scenario."""
    text = small_lesson().replace("wait.ms = 300", 'wait.ms = 300\nevents = [{ when.processed = 3, '
                                                   'action = "crash", target = "leader" }]')
    assert "put count-triggered events in [[scenario.events]]" in error(text)


def test_settings_are_checked_and_start_only_needs_restart():
    """[steps.set.*] keys are checked; start-only ones need restart = true."""
    text = small_lesson().replace('narration = "Records flow."',
                                  'narration = "Records flow."\nset.producer.acks = 2')
    assert 'step 1 "Watch": [steps.set.producer] acks: takes' in error(text)
    text = small_lesson().replace('narration = "Records flow."',
                                  'narration = "Records flow."\nset.topic.replication.factor = 2')
    assert "give the step restart = true" in error(text)
    lesson = parse_lesson(small_lesson().replace('narration = "Records flow."',
                                                 'narration = "Records flow."\nrestart = true\n'
                                                 'set.topic.replication.factor = 2'), "x.toml")
    assert lesson.steps[0].restart and lesson.steps[0].settings == (("topic", "replication.factor", 2),)


def test_flush_never_is_a_value():
    """"never" unsets a flush interval."""
    lesson = parse_lesson(small_lesson().replace(
        'narration = "Records flow."', 'narration = "Records flow."\nset.broker.log.flush.interval.messages = "never"'),
        "x.toml")
    assert lesson.steps[0].settings == (("broker", "log.flush.interval.messages", None),)


def test_unknown_lock_name():
    """Lock names are groups, failures or settings."""
    assert 'lock: unknown control "power"' in error(small_lesson().replace('lock = ["all"]', 'lock = ["power"]'))


def test_question_kind_and_keys():
    """Question kinds are checked, and keys of other kinds refused."""
    assert 'kind: takes "choice", "number", "pick" or "challenge", not "essay"' in error(
        small_lesson().replace('kind = "number"', 'kind = "essay"'))
    assert "[steps.question] goal: unknown key" in error(
        small_lesson().replace('measure = "lost_acked"', 'measure = "lost_acked"\ngoal = 1'))


def test_number_measure_must_exist():
    """A number question measures a known figure."""
    assert "measure: takes one of" in error(small_lesson().replace('measure = "lost_acked"', 'measure = "lost_acks"'))


def test_choice_needs_exactly_one_correct():
    """Zero or two keyed choices are refused."""
    choice = '''
[[steps]]
title = "Choose"
narration = "n"
[steps.question]
kind = "choice"
prompt = "p"
explanation = "e"
[[steps.question.choices]]
text = "a"
claim = { lost = 0 }
correct = true
[[steps.question.choices]]
text = "b"
claim = { lost = { min = 1 } }
CORRECT
'''
    assert "exactly one choice needs correct = true" in error(small_lesson() + choice.replace("CORRECT", "correct = true"))
    assert parse_lesson(small_lesson() + choice.replace("CORRECT", ""), "x.toml").steps[3].question.correct_choice == 0


def test_claims_are_checked():
    """A claim with an unknown figure is refused with a suggestion."""
    assert "goal: lost_ackd: unknown about a finished run; did you mean lost_acked?" in error(
        small_lesson().replace("goal = { lost_acked = 0 }", "goal = { lost_ackd = 0 }"))


def test_challenge_solution_must_be_allowed():
    """The solution changes allowed settings only, within `changes`."""
    assert "linger.ms is not in allowed" in error(
        small_lesson().replace('solution = { "producer.acks" = "all" }', 'solution = { "producer.linger.ms" = 0 }'))
    assert "changes 2 settings; the challenge allows 1" in error(small_lesson().replace(
        'solution = { "producer.acks" = "all" }',
        'solution = { "producer.acks" = "all", "topic.min.insync.replicas" = 2 }'))


def test_now_challenge_refuses_start_only_settings():
    """apply = "now" cannot offer settings that only work at start."""
    text = small_lesson().replace('apply = "start"\n', "").replace(
        'allowed = ["producer.acks", "topic.min.insync.replicas"]',
        'allowed = ["producer.acks", "topic.replication.factor"]')
    assert 'topic.replication.factor only takes effect when a run starts; use apply = "start"' in error(text)


def test_pick_answer_ids():
    """Pick answers take ids and ranges."""
    text = small_lesson().replace('kind = "number"', 'kind = "pick"').replace(
        'measure = "lost_acked"\nanswer = 19', 'measure = "lost_acked_ids"\nanswer = [3, "11-13"]')
    assert parse_lesson(text, "x.toml").steps[1].question.answer == {3, 11, 12, 13}
    assert "answer: takes record ids" in error(text.replace('[3, "11-13"]', '"x"'))


def test_duplicate_question_ids_are_refused():
    """Question ids name progress entries, so they must differ."""
    assert 'question id "how-many" is used twice' in error(small_lesson().replace('id = "fix"', 'id = "how-many"'))


def test_toml_syntax_error_and_unreadable_file(tmp_path):
    """Broken TOML and unreadable files are one-line errors too."""
    assert error("id = ").startswith("x.toml: TOML syntax error")
    with pytest.raises(LessonError) as info:
        load_lesson(tmp_path / "missing.toml")
    assert str(info.value).endswith("missing.toml: cannot read: no such file or directory")


GROUP = '''
id = "group"
title = "A group"
teaches = "Two members."

[scenario.topic]
partitions = 3

[scenario.consumer]
instances = 2

[[steps]]
title = "A member dies"
narration = "consumer-2 is killed."
events = [{ at.ms = 100, action = "crash", target = "TARGET" }]
'''


def test_step_events_name_the_groups_members_and_no_others():
    """consumer-1 and consumer-2 exist with instances = 2; consumer-3 does not (no join in the scenario)."""
    lesson = parse_lesson(GROUP.replace("TARGET", "consumer-2"), "group.toml")
    assert lesson.steps[0].events[0].target == "consumer-2"
    assert 'unknown node or role "consumer-3"' in error(GROUP.replace("TARGET", "consumer-3"))
