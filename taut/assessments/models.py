"""Assessments filed with a visit: the pain chart and its reasoning, range of motion, outcome
measures, the wellness questionnaire and special tests."""

from __future__ import annotations

from django.db import models

from taut.clients.models import Client, Visit
from taut.records.models import VisitRecord


class PainChart(VisitRecord):
    """The client's pain drawing for one visit, and the analysis computed from it.

    The inputs are kept with the knowledge-base version, so the analysis can be recomputed
    when the knowledge base improves.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="pain_charts")
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="pain_chart")
    inputs = models.JSONField(help_text="marks, qualities, mechanism, findings as entered")
    analysis = models.JSONField(help_text="ranked candidates, explaining set, differential, red flags")
    kb_version = models.CharField(max_length=40)
    red_flag_count = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"Pain chart of {self.visit}"


class RomAssessment(VisitRecord):
    """Range of motion measured at one visit: the entries as measured, and their reading against the norms."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="rom_assessments")
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="rom")
    entries = models.JSONField(help_text="motion, side, active, passive, end feel, pain")
    readings = models.JSONField(help_text="percent of norm, findings and short muscles per entry")
    kb_version = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"Range of motion at {self.visit}"


class OutcomeMeasure(VisitRecord):
    """One scored outcome measure (NDI, LEFS ...) at one visit: the answers as entered and the
    core scorer's result. Several instruments per visit, each at most once."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="outcome_measures")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="outcome_measures")
    instrument = models.CharField(max_length=40, help_text="instrument id in the knowledge base")
    answers = models.JSONField(help_text="answers in item order, null for an unanswered item")
    score = models.JSONField(help_text="value, percent, band, warnings ... from taut.core.measures.scoring")
    kb_version = models.CharField(max_length=40)
    client_reported = models.BooleanField(
        default=False, help_text="filled by the client through a private measures link, not entered in the clinic"
    )

    class Meta:
        ordering = ["visit__date", "visit_id", "instrument"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "instrument"], name="assessments_one_measure_per_instrument"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} at {self.visit}"


class WellnessAnswers(VisitRecord):
    """The wellness questionnaire for one visit: the answers and the advice items they raise."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="wellness_answers")
    visit = models.OneToOneField(Visit, on_delete=models.PROTECT, related_name="wellness")
    answers = models.JSONField(help_text="{'domain.question': option value}")
    advice = models.JSONField(help_text="advice items, flags and unanswered questions from taut.core.measures.wellness")
    kb_version = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"Wellness answers at {self.visit}"


class SpecialTestResult(VisitRecord):
    """One special test (a knowledge-base id) done at a visit on one side, and its result.

    The visit's results are weighed into the neural differential of its pain chart.
    """

    class Side(models.TextChoices):
        LEFT = "left"
        RIGHT = "right"
        MIDLINE = "midline"

    class Result(models.TextChoices):
        POSITIVE = "positive"
        NEGATIVE = "negative"
        EQUIVOCAL = "equivocal"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="special_test_results")
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="special_test_results")
    test = models.CharField(max_length=60, help_text="special test id in the knowledge base")
    side = models.CharField(max_length=8, choices=Side.choices)
    result = models.CharField(max_length=10, choices=Result.choices)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["visit_id", "test", "side"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "test", "side"], name="assessments_one_result_per_test_side"),
        ]

    def __str__(self) -> str:
        return f"{self.test} ({self.side}) {self.result} at {self.visit}"


from taut.assessments.link_models import MeasuresLink  # noqa: E402,F401 - the private link's model
