"""The wellness questionnaire: answers raise advice for the plan and flag domains."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taut.core.knowledge import load_base
from taut.core.measures.wellness import InvalidWellnessAnswerError, evaluate

BASE = load_base()
QUESTIONS = [(d.id, q) for d in BASE.wellness.values() for q in d.questions]


def _healthy() -> dict[str, dict[str, str]]:
    """For every question, the first option that neither flags nor advises."""
    answers: dict[str, dict[str, str]] = {}
    for domain_id, question in QUESTIONS:
        calm = next(o for o in question.options if not o.flag and not o.advice)
        answers.setdefault(domain_id, {})[question.id] = calm.value
    return answers


def test_no_concerns_raise_no_advice_and_no_flags() -> None:
    """Answers with nothing of concern give an empty plan section."""
    result = evaluate(_healthy())
    assert result.advice == ()
    assert result.flagged == ()
    assert result.unanswered == ()
    assert set(result.flags) == set(BASE.wellness)


# (answers, advice ids expected, domains flagged)
CASES: list[tuple[dict[str, Any], set[str], set[str]]] = [
    (
        {"physical_activity": {"weekly_minutes": "under_75"}},
        {"move_more", "strength_twice_weekly"},
        {"physical_activity"},
    ),
    ({"physical_activity": {"weekly_minutes": "from_75_to_149"}}, {"move_more"}, set()),
    ({"sleep.sleep_hours": "under_6"}, {"sleep_duration"}, {"sleep"}),
    ({"sleep.pain_wakes": "most_nights"}, {"sleep_position", "night_pain_doctor"}, {"sleep"}),
    ({"hydration": {"fluid_intake": "under_1_litre", "thirst": "often"}}, {"drink_regularly"}, {"hydration"}),
    ({"breathing": {"breathless_at_rest": "often"}}, {"breathing_screen", "slow_breathing"}, {"breathing"}),
    ({"stress": {"stress_level": "high", "time_to_unwind": "no"}}, {"stress_screen", "recovery_time"}, {"stress"}),
    ({"work_posture": {"screen_setup": "below_or_side"}}, {"screen_height"}, {"work_posture"}),
    ({"nutrition": {"regular_meals": "often_skip"}}, {"regular_meals"}, {"nutrition"}),
]


@pytest.mark.parametrize(("answers", "advice", "flagged"), CASES)
def test_answers_raise_their_advice_and_flags(answers: dict[str, Any], advice: set[str], flagged: set[str]) -> None:
    """Each concerning answer adds its advice (once) and flags its domain when it should."""
    result = evaluate(answers)
    assert {a.id for a in result.advice} == advice
    assert set(result.flagged) == flagged
    assert len({(a.domain, a.id) for a in result.advice}) == len(result.advice)


def test_advice_says_which_answers_raised_it_and_cites_its_sources() -> None:
    """An advice item lists its triggering answers; figures come with a source."""
    result = evaluate({"hydration": {"fluid_intake": "under_1_litre", "thirst": "often"}})
    (item,) = result.advice
    assert item.because == ("hydration.fluid_intake=under_1_litre", "hydration.thirst=often")
    assert item.sources == ("efsa_2010_water",)
    activity = evaluate({"physical_activity.weekly_minutes": "under_75"})
    assert all("who_2020_physical_activity" in a.sources for a in activity.advice)
    assert "150 to 300 minutes" in activity.advice[0].text


def test_questions_left_out_are_listed_as_unanswered() -> None:
    """Skipped questions are reported, not guessed."""
    result = evaluate({"sleep": {"sleep_hours": "seven_to_nine"}})
    assert "sleep.pain_wakes" in result.unanswered
    assert "sleep.sleep_hours" not in result.unanswered
    assert len(result.unanswered) == len(QUESTIONS) - 1


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"sleep": {"sleep_hours": "eight"}}, "not an answer to sleep.sleep_hours"),
        ({"sleep": {"nap": "yes"}}, "not a question"),
        ({"diet.regular_meals": "yes_regular"}, "not a question"),
        ({"stress": {"time_to_unwind": False}}, "must be an option value"),
    ],
)
def test_unknown_questions_and_answers_are_refused(answers: dict[str, Any], words: str) -> None:
    """Misspelt questions and answers fail with the allowed choices."""
    with pytest.raises(InvalidWellnessAnswerError) as info:
        evaluate(answers)
    assert words in str(info.value)
    assert "How to fix" in str(info.value)


def test_the_result_serialises_with_its_licence() -> None:
    """to_dict gives plain data and states that the questionnaire is CC BY 4.0."""
    data = evaluate({"sleep.sleep_hours": "under_6"}).to_dict()
    assert data["license"] == "CC BY 4.0"
    assert data["flags"]["sleep"] is True
    assert data["advice"][0]["id"] == "sleep_duration"


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_a_domain_is_flagged_exactly_when_a_flagging_answer_was_given(data: st.DataObject) -> None:
    """Flags and advice follow the chosen options, whatever the combination."""
    answers: dict[str, str] = {}
    for domain_id, question in QUESTIONS:
        if data.draw(st.booleans()):
            answers[f"{domain_id}.{question.id}"] = data.draw(st.sampled_from([o.value for o in question.options]))
    result = evaluate(answers)
    for domain_id in BASE.wellness:
        chosen = [
            o
            for d, q in QUESTIONS
            if d == domain_id and f"{d}.{q.id}" in answers
            for o in q.options
            if o.value == answers[f"{d}.{q.id}"]
        ]
        assert result.flags[domain_id] == any(o.flag for o in chosen)
        assert {a.id for a in result.advice if a.domain == domain_id} == {x for o in chosen for x in o.advice}
