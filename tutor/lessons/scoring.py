"""How a question counts towards a score from its saved attempts: the first attempt, the best one, or the last."""

from __future__ import annotations

from typing import Any

#: each score policy, and what it means (printed with every score that uses it)
POLICIES = {"first": "first attempt: right the first time it was answered (a challenge: solved without show me)",
            "best": "best attempt: right on any attempt made without show me",
            "last": "last attempt: right on the latest attempt"}


def first_tries(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """A question's attempts in time order."""
    return sorted(answer.get("tries", []), key=lambda t: t["at"])


def scored(answer: dict[str, Any], policy: str = "first") -> bool:
    """Does this question count as right under the policy?"""
    tries = first_tries(answer)
    if policy == "first" or not tries:
        return bool(answer.get("first_correct")) or bool(answer.get("solved_unaided"))
    if policy == "best":
        return any(t["correct"] and not t.get("shown") for t in tries)
    return bool(tries[-1]["correct"]) and not tries[-1].get("shown")
