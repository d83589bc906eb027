"""Permission rows for the directory's routes (see tests/web/routes.py).

The public search (`directory:find`) and a published listing's page (`directory:public_listing`)
answer without a login and show listings of every clinic on purpose: a listing is what its
practitioner chose to publish, and its id is not a clinic's private object (`PUBLIC_KWARGS`).
A practitioner's own listing (`directory:my_listing`, `directory:withdraw`): owner and
practitioner; a visitor's message through a listing's contact form (`directory:contact`) and the
API's search (`directory_search`) answer without a login too; the clinic's CSV (`directory:export`,
`directory:import`): owner only. The payload
builders first publish the role's own listing, so a save is always an ("update", "listing").
"""

from __future__ import annotations

from typing import Any

from taut.access.models import Role
from tests.web.routes import OWNER_ONLY, Route, statuses

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
LISTERS = (OWNER, PRACTITIONER)


def listing_form(world: Any, role: str) -> dict[str, Any]:
    return {
        "display_name": f"Dana {role.title()}",
        "clinic_name": world.clinic.name,
        "show_clinic": "yes",
        "city": "Beverly Hills",
        "postal_code": "90210",
        "country": "US",
        "credentials": ["cmtpt"],
        "conditions": ["tension_type_headache"],
        "languages": "English",
        "booking_url": "https://example.org/book",
    }


def _publish(world: Any, role: str) -> Any:
    from taut.access.scoping import clinic_scope
    from taut.directory import services
    from taut.directory.models import Listing

    user = world.users[role if role in LISTERS else PRACTITIONER]
    with clinic_scope(world.clinic):
        found = Listing.objects.filter(practitioner=user, published=True).first()
        return found or services.do_save_listing(world.clinic, user, listing_form(world, role))


def save_payload(world: Any, role: str) -> dict[str, Any]:
    if role in LISTERS:
        _publish(world, role)
    return listing_form(world, role)


def withdraw_payload(world: Any, role: str) -> dict[str, Any]:
    if role in LISTERS:
        _publish(world, role)
    return {}


def message_payload(world: Any, role: str) -> dict[str, Any]:
    """A visitor's message to the world's practitioner, whose account gets an e-mail address."""
    user = world.users[PRACTITIONER]
    if not user.email:
        user.email = f"{user.get_username()}@example.org"
        user.save(update_fields=["email"])
    return {"name": f"Visitor {role}", "email": "visitor@example.net", "message": "Do you treat jaw pain?"}


def listing_id(world: Any, role: str) -> int:
    """A published listing of the world's clinic (its practitioner's)."""
    return int(_publish(world, PRACTITIONER).pk)


WEB_ROUTES: tuple[Route, ...] = (
    Route("directory:find", "web", "GET", public=True, query="?near=90210"),
    Route("directory:public_listing", "web", "GET", ("listing_id",), public=True),
    # a visitor's message (then a redirect to the page); its audit entry names the practitioner's
    # listing, not the sender's own, so it is checked in tests/web/test_directory.py
    Route(
        "directory:contact",
        "web",
        "POST",
        ("listing_id",),
        expected=statuses(302),
        payload=message_payload,
        public=True,
    ),
    Route("directory:my_listing", "web", "GET", (), "can_edit_listing", statuses(200, LISTERS)),
    Route(
        "directory:my_listing",
        "web",
        "POST",
        (),
        "can_edit_listing",
        statuses(302, LISTERS),
        save_payload,
        audit=("update", "listing"),
    ),
    Route(
        "directory:withdraw",
        "web",
        "POST",
        (),
        "can_edit_listing",
        statuses(302, LISTERS),
        withdraw_payload,
        audit=("withdraw", "listing"),
    ),
    Route("directory:export", "web", "GET", (), "can_manage_listings", OWNER_ONLY, audit=("export", "listing")),
    Route("directory:import", "web", "GET", (), "can_manage_listings", OWNER_ONLY),
)
API_ROUTES: tuple[Route, ...] = (
    Route("directory_search", "api", "GET", api_path="/directory/search", public=True, query="?near=90210"),
)
OBJECT_IDS: dict[str, Any] = {"listing_id": listing_id}
