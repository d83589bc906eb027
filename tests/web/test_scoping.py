"""The one clinic-scoping mechanism fails closed (security.md item 2)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django_scopes import ScopeError

from taut.access.scoping import clinic_scope, unscoped
from taut.clients.models import Client, Visit
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db

# Taut's models that belong to no one clinic: the people and the clinics themselves.
NOT_CLINIC_BOUND = {"access.User", "access.Clinic", "access.PractitionerProfile"}
TAUT_MODELS = [m for m in apps.get_models() if m.__module__.startswith("taut.")]
SCOPED = [m for m in TAUT_MODELS if m._meta.label not in NOT_CLINIC_BOUND]


def test_every_model_is_clinic_bound_or_named_as_not() -> None:
    """A new model either has a clinic (and so is scoped, below) or is added to NOT_CLINIC_BOUND on purpose."""
    for model in SCOPED:
        field = model._meta.get_field("clinic")  # FieldDoesNotExist fails the test, naming the model
        assert isinstance(field, models.ForeignKey), model._meta.label
        assert field.related_model._meta.label == "access.Clinic", model._meta.label
    assert len(SCOPED) >= 16  # clients, visits, consents, every assessment, motion and intake record ...


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_a_query_without_an_active_clinic_raises(model: type, clinic_a: ClinicWorld) -> None:
    with pytest.raises(ScopeError):
        list(model.objects.all())  # type: ignore[attr-defined]
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()  # type: ignore[attr-defined]


def test_no_clinic_is_not_a_scope(clinic_a: ClinicWorld) -> None:
    """A missing clinic (None) must not silently mean every clinic."""
    with pytest.raises(ScopeError), clinic_scope(None):
        pass


def test_a_scope_sees_only_its_clinic(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    with clinic_scope(clinic_a.clinic):
        ids = set(Client.objects.values_list("pk", flat=True))
        assert clinic_a.client.pk in ids
        assert clinic_b.client.pk not in ids
        assert not Visit.objects.filter(pk=clinic_b.visit.pk).exists()


def test_crossing_clinics_needs_unscoped(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    with unscoped():
        ids = set(Client.objects.values_list("pk", flat=True))
    assert {clinic_a.client.pk, clinic_b.client.pk} <= ids
