"""Permission rows for the reports app's routes (see tests/web/routes.py)."""

from __future__ import annotations

from typing import Any

from tests.web.routes import CLINICAL_ONLY, Route

WEB_ROUTES: tuple[Any, ...] = (
    # the progress page: every measure since the first visit, in words and charts
    Route(
        "reports:progress",
        "web",
        "GET",
        ("client_id",),
        "can_view_clinical",
        CLINICAL_ONLY,
        audit=("read", "client"),
        client_data=True,
    ),
    # the three PDF reports as downloads (the client report stands for the three: the referral
    # letter needs a reason, and its refusal is tested in tests/web/test_reports_pdf.py)
    Route(
        "reports:report_pdf",
        "web",
        "GET",
        ("report_kind", "client_id"),  # the client last: it is the audited object
        "can_view_clinical",
        CLINICAL_ONLY,
        audit=("read", "client"),
        client_data=True,
    ),
)
API_ROUTES: tuple[Any, ...] = (
    Route(
        "client_report_pdf",
        "api",
        "GET",
        ("report_kind", "client_id"),  # the client last: it is the audited object
        "can_view_clinical",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/reports/{report_kind}",
        audit=("read", "client"),
        client_data=True,
    ),
)


def report_kind(world: Any, role: str) -> str:
    return "progress"


OBJECT_IDS: dict[str, Any] = {"report_kind": report_kind}
