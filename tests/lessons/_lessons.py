"""Small lesson texts for the lesson tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "tutor" / "data" / "lessons"

#: a small lesson that runs in milliseconds: acks=1, slow followers, a leader crash
SMALL = '''
id = "small"
title = "A small lesson"
teaches = "acks=1 loses what the followers had not fetched."
prerequisites = PREREQS

[scenario]
seed = 0

[scenario.topic]
replication.factor = 3

[scenario.producer]
acks = 1

[scenario.workload]
messages = 60
interval.ms = 10

[[scenario.events]]
at.ms = 0
action = "slow"
target = "followers"
delay.ms = 100

[[steps]]
title = "Watch"
narration = "Records flow."
lock = ["all"]
unlock = ["crash"]
wait.ms = 300

[[steps]]
title = "Predict"
narration = "The leader is about to crash."

[steps.question]
id = "how-many"
kind = "number"
prompt = "How many acknowledged records will be lost?"
measure = "lost_acked"
answer = ANSWER
hints = ["first hint", "second hint"]
explanation = "Truncated when it returns."
then = [{ at.ms = 0, action = "crash", target = "leader", restart.after.ms = 15000 }]

[[steps]]
title = "Fix it"
narration = "Change one setting."

[steps.question]
id = "fix"
kind = "challenge"
apply = "start"
prompt = "Lose nothing acknowledged."
goal = { lost_acked = 0 }
allowed = ["producer.acks", "topic.min.insync.replicas"]
solution = { "producer.acks" = "all" }
explanation = "acks=all waits for the ISR."
'''


def small_lesson(answer: int = 19, prereqs: str = "[]", lesson_id: str = "small") -> str:
    """The small lesson's text, with its answer key and prerequisites filled in."""
    return (SMALL.replace("ANSWER", str(answer)).replace("PREREQS", prereqs)
            .replace('id = "small"', f'id = "{lesson_id}"'))
