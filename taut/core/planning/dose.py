"""The numbers in a plan's exercise dose ("3 x 10, hold 30 s each side, twice a day"), for a home
programme that counts sets, repetitions, hold, times a day and days a week.

Only what the words say clearly is read; the rest is left out (the home programme then uses the
exercise's own dose). "Every other day" counts as 3 days a week (7 / 2, rounded down, so a
client who does it on alternate days is never counted as behind).
"""

from __future__ import annotations

import re

NUMBERS = {"once": 1, "one": 1, "twice": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
SETS_REPS = re.compile(r"^\s*(\d+)\s*x\s*(\d+)")
HOLD = re.compile(r"hold\s+(\d+)\s*s")
COUNT = r"\b(once|twice|one|two|three|four|five|six|\d+)\b(?:\s+(?:or|to)\s+\w+)?"  # "two or three": the lower
PER_DAY = re.compile(COUNT + r"(?:\s+times)?\s+(?:a|per)\s+day")
PER_WEEK = re.compile(COUNT + r"(?:\s+times|\s+days)?\s+(?:a|per)\s+week")


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word]


def dose_numbers(text: str) -> dict[str, int]:
    """The fields of a home-programme dose (sets, reps, hold_seconds, per_day, per_week) the text gives."""
    words = text.lower()
    out: dict[str, int] = {}
    found = SETS_REPS.match(words)
    if found:
        out["sets"], out["reps"] = int(found.group(1)), int(found.group(2))
    hold = HOLD.search(words)
    if hold:
        out["hold_seconds"] = int(hold.group(1))
    if "every other day" in words:
        out["per_week"] = 3
    week = PER_WEEK.search(words)
    if week:
        out["per_week"] = _number(week.group(1))
    day = PER_DAY.search(words)
    if day:
        out["per_day"] = _number(day.group(1))
    elif "morning and evening" in words:
        out["per_day"] = 2
    elif re.search(r"\bdaily\b", words):
        out["per_day"] = 1
    return out
