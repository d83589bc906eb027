"""Comparing a client's posture photos across visits."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from taut.clients.models import Visit
from taut.motion.models import PosturePhoto


def earlier_photos(visit: Visit) -> list[PosturePhoto]:
    """The client's photos from other visits, newest first (to compare with)."""
    return list(
        PosturePhoto.objects.filter(client=visit.client).exclude(visit=visit).order_by("-visit__date", "view")[:40]
    )


def client_photos(client: Any) -> list[PosturePhoto]:
    """All the client's posture photos, newest visit first."""
    return list(PosturePhoto.objects.filter(client=client).select_related("visit").order_by("-visit__date", "view"))


def compare_pair(client: Any, first_id: Any, second_id: Any) -> tuple[PosturePhoto, PosturePhoto]:
    """Two photos of this client, older first; both must exist and show the same view."""
    photos = PosturePhoto.objects.filter(client=client)
    try:
        first = photos.select_related("visit").get(pk=int(first_id))
        second = photos.select_related("visit").get(pk=int(second_id))
    except (TypeError, ValueError, PosturePhoto.DoesNotExist):
        raise ValidationError({"photos": "Choose two photos of this client to compare."}) from None
    if first.pk == second.pk:
        raise ValidationError({"photos": "Choose two different photos: a photo compared with itself shows no change."})
    if first.view != second.view:
        raise ValidationError({"photos": "Compare photos taken from the same view (front with front ...)."})
    if (first.visit.date, first.pk) > (second.visit.date, second.pk):
        first, second = second, first
    return first, second


def compare_rows(first: PosturePhoto, second: PosturePhoto) -> list[dict[str, Any]]:
    """Each measure in either report: both values, the change, and whether it moved toward normal."""
    a = {m["id"]: m for m in first.report.get("measures", [])}
    b = {m["id"]: m for m in second.report.get("measures", [])}
    rows = []
    for mid in list(dict.fromkeys([*a, *b])):
        ma, mb = a.get(mid), b.get(mid)
        ref = mb or ma
        assert ref is not None
        change = None
        if ma is not None and mb is not None and ma.get("value") is not None and mb.get("value") is not None:
            change = round(float(mb["value"]) - float(ma["value"]), 1)
        rows.append(
            {
                "id": mid,
                "name": ref.get("name", mid),
                "unit": ref.get("unit", ""),
                "first": ma,
                "second": mb,
                "change": change,
                "better": (ma or {}).get("status") not in (None, "normal") and (mb or {}).get("status") == "normal",
                "worse": (ma or {}).get("status") == "normal" and (mb or {}).get("status") not in (None, "normal"),
            }
        )
    return rows
