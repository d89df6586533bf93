"""Predict, then reveal, in the lesson core: what an open or later question holds back, and the state block."""

from tutor.lessons import LessonRun, load_lesson
from tutor.lessons.catalog import load_catalog
from tutor.lessons.reveal import held_later, held_now, played_line, state_lines, tells, untold

from _lessons import LESSONS

SUMMARY = {"sent": 1000, "acked": 511, "lost": 12, "lost_acked": 3, "duplicates": 7}


def questions(name: str) -> dict:
    """A shipped lesson's questions by id."""
    return {q.id: q for _, q in load_lesson(LESSONS / f"{name}.toml").questions()}


def test_a_prediction_holds_back_what_it_asks_and_an_observation_does_not():
    """A pick on lost ids holds the loss counts; `after.ms = 0` questions show their state; challenges hold nothing."""
    qs = questions("04-acks-1")
    assert {"lost", "lost_acked_ids"} <= held_now(qs["which-lost"])
    assert held_now(qs["only-on-leader"]) == frozenset()  # "how many are only in the page cache right now?"
    assert held_now(qs["acks1-challenge"]) == frozenset()


def test_played_line_drops_what_a_later_question_asks():
    """The played-out line shows thousands separators, and leaves out a held figure, saying so."""
    assert played_line(SUMMARY) == ("played to the end: sent 1,000 · acknowledged 511 · lost 12 (acknowledged 3)"
                                    " · duplicates 7")
    held = played_line(SUMMARY, frozenset({"lost"}))
    assert "lost" not in held and "the rest comes with a later question" in held
    lesson = load_lesson(LESSONS / "05-acks-all.toml")
    assert "lost" in held_later(lesson, 0) and held_later(lesson, len(lesson.steps)) == frozenset()


def test_messages_that_tell_a_held_figure_are_replaced_by_one_line():
    """"1200 records gone from its page cache" would answer a loss question; the other lines stay."""
    lines = ["broker-1 lost power: 1200 unflushed record(s) gone from its page cache", "ISR for t-0 shrank"]
    assert tells(lines[0], frozenset({"lost"})) and not tells(lines[0], frozenset({"duplicates"}))
    assert untold(lines, frozenset({"lost"})) == [lines[1], "what it did to the records shows once you have answered"]
    assert untold(lines, frozenset()) == lines


def test_state_lines_name_each_replica_and_the_clients():
    """The compact state block of a lesson's opening run."""
    run = LessonRun(load_lesson(LESSONS / "01-journey.toml"))
    run.finish_wait()
    lines = state_lines(run.snapshot)
    assert lines[0].startswith("t = ") and "leader broker-" in lines[0]
    assert sum(line.startswith("broker-") for line in lines) == 3
    assert all("log end" in line and "HW" in line and "flushed to disk" in line for line in lines[1:4])
    assert lines[-1].startswith("consumer: ") and "committed offset" in lines[-1]


def test_prerequisites_are_named_by_number_and_title():
    """A learner sees "lesson 3 (<title>)", never a lesson's id; only those not done yet when asked so."""
    catalog = load_catalog()
    lesson = catalog.find("acks-1").lesson
    named = catalog.prerequisites(lesson)
    for ref in lesson.prerequisites:
        assert f"lesson {catalog.number(ref)} ({catalog.find(ref).title})" in named
        assert ref not in named.replace(catalog.find(ref).title, "")
    assert catalog.prerequisites(lesson, set(lesson.prerequisites)) == ""


def test_after_a_challenge_won_another_way_the_next_step_plays_the_lessons_solution():
    """Lesson 5's challenge met with unclean election on: the run says it plays the learner's settings; the next
    step goes back to the lesson's solution (which its narration describes) and says so."""
    from tutor.lessons.judge import right_answer
    from tutor.lessons.run import QUESTION, WAIT

    from test_lessons_play import do_the_wait

    run = LessonRun(load_lesson(LESSONS / "05-acks-all.toml"))
    while not (run.phase == QUESTION and run.question.kind == "challenge"):
        if run.phase == WAIT:
            do_the_wait(run)
        if run.phase == QUESTION and run.question.kind != "challenge":
            run.submit(right_answer(run.question))
        elif run.phase != QUESTION:
            assert run.next()
    verdict = run.submit({"topic.unclean.leader.election.enable": True})
    assert verdict.correct and run.version == ("yours", "your settings: topic.unclean.leader.election.enable = true")
    assert run.next()
    assert run.version[0] == "the lesson's" and "which the narration describes" in run.notes[-1]
    config = run.session.sim.config
    assert config.topic["unclean.leader.election.enable"] is False and config.broker["log.flush.interval.messages"] == 1


def test_figures_carry_thousands_separators_and_units():
    """What the lesson screen and text mode print of a figure: "1,200 ms", "12.5", never "1200.0"."""
    from tutor.lessons.measures import amount, unit_of

    assert amount(1200.0, "ms") == "1,200 ms" and amount(12.5) == "12.5" and amount(3) == "3"
    assert unit_of("latency.p50.ms") == "ms" and unit_of("lost_acked") == ""


def test_state_lines_with_partitions_give_each_partition_and_the_consumers_offsets():
    """Three partitions: one line per partition, and the consumer's position and commit of each."""
    run = LessonRun(load_lesson(LESSONS / "18-partition-commits.toml"))
    run.finish_wait()
    lines = state_lines(run.snapshot)
    assert lines[0].startswith("t = ") and "3 partitions" in lines[0]
    assert [line.split(":")[0] for line in lines[1:4]] == ["t-0", "t-1", "t-2"]
    consumer = lines[-1]
    assert consumer.startswith("consumer: ") and all(f"t-{p} position" in consumer for p in range(3))
    assert "t-0 position 16, committed none" in consumer  # the first poll's records are being processed


def test_state_block_hides_the_consumers_offsets_while_the_question_asks_about_the_commit():
    """Lesson 18's first question asks what t-0's commit will hold (16): the state block must not show t-0's
    position (16) meanwhile, in the text player either; the other figures stay."""
    from tutor.text.player import state_block

    run = LessonRun(load_lesson(LESSONS / "18-partition-commits.toml"))
    run.finish_wait()
    assert run.question.id == "partition-next-offset" and "consumer.committed" in run.held()
    consumer = state_lines(run.snapshot, run.held())[-1]
    assert "t-0 position ?, committed ?" in consumer and "16" not in consumer and "processed" in consumer
    from rich.console import Console
    console = Console(width=200, record=True)
    console.print(state_block(run))
    shown = console.export_text()
    assert "position ?" in shown and "position 16" not in shown


def test_state_lines_with_a_group_give_each_member():
    """A group of two: the group's state, then each member with the partitions it holds and their offsets."""
    run = LessonRun(load_lesson(LESSONS / "19-rebalances.toml"))
    run.finish_wait()
    lines = state_lines(run.snapshot)
    group = next(i for i, line in enumerate(lines) if line.startswith("group: "))
    assert "generation 1" in lines[group] and "eager (range)" in lines[group]
    assert lines[group + 1].startswith("consumer-1: up · t-0 position 10, committed 5 · t-1 ")
    assert lines[group + 2].startswith("consumer-2: up · t-2 ")
