"""Labels a person sees are words, never snake_case ids (issue 13, item 8)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.atlas.templatetags.words import words, words_list
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", re.IGNORECASE)


class _Text(HTMLParser):
    """Collects the text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "template"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "template"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


URL = re.compile(r"https?://\S+")


def snake_ids(html: str) -> list[str]:
    """Snake_case words in the visible text; a printed web address in a citation is not a label."""
    return sorted(set(SNAKE.findall(URL.sub(" ", visible_text(html)))))


def test_the_checker_catches_an_id() -> None:
    assert snake_ids("<p>Restricts: cervical_rotation</p>") == ["cervical_rotation"]
    assert snake_ids('<p title="a_b">Cervical rotation</p><script>x_y=1</script>') == []


def test_words_filter_uses_kb_names() -> None:
    assert words("upper_trapezius") == "Upper trapezius"
    assert words("cervical_rotation") == "cervical rotation"
    listed = words_list(["cervical_rotation", "cervical_lateral_flexion"])
    assert listed == "cervical rotation, cervical lateral flexion"


@pytest.mark.parametrize(
    "url",
    [
        reverse("atlas:atlas"),
        reverse("atlas:atlas_muscle", args=["upper_trapezius"]),
        reverse("atlas:atlas_muscle", args=["abductor_digiti_minimi_foot"]),
    ],
)
def test_atlas_pages_show_words_not_ids(clinic_a: ClinicWorld, url: str) -> None:
    http = HttpClient()
    http.force_login(clinic_a.users[Role.PRACTITIONER])
    response = http.get(url)
    assert response.status_code == 200
    assert snake_ids(response.content.decode()) == []


def test_atlas_index_counts_the_body_zones(clinic_a: ClinicWorld) -> None:
    http = HttpClient()
    http.force_login(clinic_a.users[Role.PRACTITIONER])
    text = visible_text(http.get(reverse("atlas:atlas")).content.decode())
    assert " 0 body zones" not in text
    assert re.search(r"\b[1-9]\d* body zones", text)


def test_every_muscle_page_shows_words_not_ids(clinic_a: ClinicWorld) -> None:
    from taut.core.knowledge.loader import load_base

    http = HttpClient()
    http.force_login(clinic_a.users[Role.PRACTITIONER])
    found: dict[str, list[str]] = {}
    for muscle_id in sorted(load_base().muscles):
        ids = snake_ids(http.get(reverse("atlas:atlas_muscle", args=[muscle_id])).content.decode())
        if ids:
            found[muscle_id] = ids
    assert found == {}


def test_every_atlas_entry_page_shows_words_not_ids(clinic_a: ClinicWorld) -> None:
    from taut.core.knowledge.loader import load_base

    base = load_base()
    urls = [reverse("atlas:atlas_nerve", args=[n]) for n in sorted(base.nerves)]
    urls += [reverse("atlas:atlas_zone", args=[z]) for z in sorted(base.zones)]
    urls += [reverse("atlas:atlas_condition", args=[c]) for c in sorted(base.conditions)]
    urls += [reverse("atlas:atlas_exercise", args=[e]) for e in sorted(base.exercises)]
    http = HttpClient()
    http.force_login(clinic_a.users[Role.PRACTITIONER])
    found: dict[str, list[str]] = {}
    for url in urls:
        response = http.get(url)
        assert response.status_code == 200, url
        ids = snake_ids(response.content.decode())
        if ids:
            found[url] = ids
    assert found == {}
