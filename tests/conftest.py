from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from taut.access import services as access
from taut.access.models import Role, User
from taut.access.scoping import clinic_scope
from tests.factories import ClinicWorld, make_clinic


@pytest.fixture
def clinic_a(db: Any) -> ClinicWorld:
    return make_clinic("a")


@pytest.fixture
def clinic_b(db: Any) -> ClinicWorld:
    return make_clinic("b")


@pytest.fixture
def web_as() -> Callable[[User], HttpClient]:
    """A browser-like client logged in as a user (the second factor is not part of these tests)."""

    def login(user: User) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        return http

    return login


@pytest.fixture
def api_as() -> Callable[[ClinicWorld, str], HttpClient]:
    """An API client with a fresh bearer token for the given role in the given clinic."""

    def make(world: ClinicWorld, role: str = Role.PRACTITIONER) -> HttpClient:
        with clinic_scope(world.clinic):
            _, token = access.do_create_token(world.users[role], world.clinic, "test")
        return HttpClient(headers={"Authorization": f"Bearer {token}"})

    return make
