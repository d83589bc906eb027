from __future__ import annotations

from typing import Any

from django import forms

from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import JointMotion, Symptom
from taut.core.reasoning.chart import Mechanism, Quality


def _choices(values: Any) -> list[tuple[str, str]]:
    return [(v.value, v.value.replace("_", " ")) for v in values]


class PainChartForm(forms.Form):
    """The pain chart as a form: `pain` holds one mark a line ("temple_l:7:aching"); the chart's
    script keeps it in step with the clicks, and it works on its own without script."""

    pain = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "pain-lines"}),
        label="Painful zones",
        help_text="One per line: zone, then optionally :intensity 0-10 and :quality, e.g. 'left temple:7:aching'.",
        max_length=5000,
    )
    qualities = forms.MultipleChoiceField(
        choices=_choices(Quality), required=False, widget=forms.CheckboxSelectMultiple, label="How it feels"
    )
    mechanism = forms.ChoiceField(choices=[("", "—"), *_choices(Mechanism)], required=False, label="How it began")
    aggravating = forms.MultipleChoiceField(
        choices=_choices(JointMotion), required=False, label="Movements that provoke it",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    easing = forms.MultipleChoiceField(
        choices=_choices(JointMotion), required=False, label="Movements that ease it",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    restricted = forms.MultipleChoiceField(
        choices=_choices(JointMotion), required=False, label="Motions found restricted",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    symptoms = forms.MultipleChoiceField(
        choices=_choices(s for s in Symptom if s.value != "pain"), required=False, label="Other symptoms",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )  # fmt: skip
    condition = forms.ChoiceField(choices=[], required=False, label="Working condition (optional)")
    red_flags = forms.MultipleChoiceField(
        choices=[], required=False, widget=forms.CheckboxSelectMultiple, label="Red flags present"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        base = load_base()
        self.fields["red_flags"].choices = [  # type: ignore[attr-defined]
            (f.id, f.name) for f in sorted(base.red_flags.values(), key=lambda f: f.name)
        ]
        self.fields["condition"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *sorted(((c.id, c.name) for c in base.conditions.values()), key=lambda pair: pair[1]),
        ]
