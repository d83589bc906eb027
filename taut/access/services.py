"""Write paths for people, roles, logins and tokens. Each runs in one transaction with its audit entry."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from taut.access import totp
from taut.access.models import ApiToken, Clinic, Membership, PractitionerProfile, Role, User
from taut.access.scoping import unscoped
from taut.audit import service as audit
from taut.audit.models import AuditEntry

TOKEN_PREFIX = "taut_"  # noqa: S105 (a visible prefix, not a secret)
INVALID_TOKEN = "invalid or revoked token"  # noqa: S105 (an audit reason, not a secret)


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    needs_second_factor: bool = False
    locked: bool = False


@dataclass(frozen=True)
class CodeResult:
    """The outcome of one code: `ok` logs in; `locked` ends the pending login (too many tries)."""

    ok: bool
    locked: bool = False


def memberships_of(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    with unscoped():  # a person's roles span clinics: this is how one is chosen
        return list(Membership.objects.filter(user=user, is_active=True).select_related("clinic"))


def requires_second_factor(user: User) -> bool:
    """Owners must use TOTP; others may opt in."""
    return user.totp_confirmed or any(m.role == Role.OWNER for m in memberships_of(user))


def check_password_login(username: str, password: str, ip: str) -> LoginResult:
    """Check a username and password with throttling; every attempt is audited."""
    username = username.strip()[:150]
    with transaction.atomic():
        clinic = home_clinic(username)
        if audit.recent_failures(username, ip, settings.LOGIN_COOLOFF_SECONDS) >= settings.LOGIN_FAILURE_LIMIT:
            # refused by the lock, not a new failure: the lock lifts once the real failures age out
            audit.record(
                "login", outcome=AuditEntry.Outcome.DENIED, username=username, clinic=clinic,
                detail={"reason": "locked"},
            )  # fmt: skip
            return LoginResult(None, locked=True)
        user = authenticate(username=username, password=password)
        if user is None or not memberships_of(user):
            audit.record(
                "login", outcome=AuditEntry.Outcome.FAILURE, username=username, clinic=clinic, detail={"reason": "bad"}
            )
            return LoginResult(None)
        assert isinstance(user, User)
        if requires_second_factor(user):
            audit.record("login_password", user=user, clinic=clinic, detail={"second_factor": "required"})
            return LoginResult(user, needs_second_factor=True)
        audit.record("login", user=user, clinic=clinic)
        return LoginResult(user)


def home_clinic(username: str) -> Clinic | None:
    """The clinic whose owner should see this username's logins (its first active role), if any."""
    user = User.objects.filter(username=username).first()
    memberships = memberships_of(user) if user is not None else []
    return memberships[0].clinic if memberships else None


def code_failures(user: User) -> int:
    """Wrong second-factor codes of one user in the lockout window, from any session or address."""
    return audit.recent_count(
        settings.LOGIN_COOLOFF_SECONDS,
        action="login",
        outcome=AuditEntry.Outcome.FAILURE,
        user_id=user.pk,
        detail__reason="totp",
    )


def check_second_factor(user: User, code: str, *, enrolling_secret: str = "", session_tries: int = 0) -> CodeResult:
    """Verify a TOTP code (and, when enrolling, confirm the new secret). Audited either way.

    Throttled per user (wrong codes in the lockout window, counted under the user's row lock, so
    parallel requests cannot overrun it) and per pending session (`session_tries`, the wrong codes
    this session has sent). At the limit the pending login must be discarded. A code's time step
    must be later than the last one used, so a code is accepted once only. Wrong codes are failed
    logins of the account, so they count toward the password step's lockout too.
    """
    limit = int(settings.TOTP_ATTEMPT_LIMIT)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        clinic = home_clinic(locked.username)
        if session_tries >= limit or code_failures(locked) >= limit:
            _discarded(locked, clinic, "too many codes")
            return CodeResult(False, locked=True)
        secret = enrolling_secret or locked.totp_secret
        step = totp.accepted_step(secret, code, locked.totp_last_step)
        if step is None:
            audit.record(
                "login", outcome=AuditEntry.Outcome.FAILURE, user=locked, clinic=clinic, detail={"reason": "totp"}
            )
            if session_tries + 1 >= limit or code_failures(locked) >= limit:
                _discarded(locked, clinic, "too many codes")
                return CodeResult(False, locked=True)
            return CodeResult(False)
        locked.totp_last_step = step
        if enrolling_secret:
            locked.totp_secret = enrolling_secret
            locked.totp_confirmed = True
        locked.save(update_fields=["totp_last_step", "totp_secret", "totp_confirmed"])
        audit.record("login", user=locked, clinic=clinic, detail={"second_factor": "totp"})
        return CodeResult(True)


def _discarded(user: User, clinic: Clinic | None, reason: str) -> None:
    audit.record("login", outcome=AuditEntry.Outcome.DENIED, user=user, clinic=clinic, detail={"reason": reason})


def do_discard_pending(user: User, reason: str) -> None:
    """Audit a pending login (password checked, code not yet) that is thrown away."""
    with transaction.atomic():
        _discarded(user, home_clinic(user.username), reason)


def do_logout(user: Any) -> None:
    with transaction.atomic():
        audit.record("logout", user=user, clinic=home_clinic(user.get_username()))


def do_create_clinic(name: str, slug: str, **fields: Any) -> Clinic:
    with transaction.atomic():
        clinic = Clinic.objects.create(name=name, slug=slug, **fields)
        audit.record("create", clinic, clinic=clinic)
        return clinic


def do_create_user(
    clinic: Clinic,
    username: str,
    password: str,
    role: str,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    profile: dict[str, str] | None = None,
) -> User:
    """Create a user with a role in one clinic (the password is validated first)."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    candidate = User(username=username, first_name=first_name, last_name=last_name, email=email)
    validate_password(password, candidate)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        membership = Membership.objects.create(user=candidate, clinic=clinic, role=role)
        if profile is not None:
            PractitionerProfile.objects.create(user=candidate, **profile)
        audit.record("create", membership, clinic=clinic, detail={"role": role})
        return candidate


def do_set_membership_active(membership: Membership, active: bool) -> Membership:
    """Disable (or restore) a user in a clinic; their sessions and tokens stop working at once."""
    with transaction.atomic():
        membership.is_active = active
        membership.save(update_fields=["is_active"])
        if not active:
            ApiToken.objects.with_scope(clinic=membership.clinic).filter(
                user=membership.user, clinic=membership.clinic, revoked_at=None
            ).update(revoked_at=timezone.now())
        audit.record("update", membership, clinic=membership.clinic, detail={"active": active})
        return membership


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def do_create_token(user: User, clinic: Clinic, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token; the plaintext is returned once and never stored."""
    if not any(m.clinic_id == clinic.pk for m in memberships_of(user)):
        raise ValueError(f"{user.username} has no active role in {clinic.name}.")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, clinic=clinic, name=name, prefix=plaintext[:12], digest=token_digest(plaintext)
        )
        audit.record("create", token, user=user, clinic=clinic, object_type="apitoken")
        return token, plaintext


def do_revoke_token(token: ApiToken) -> ApiToken:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("revoke", token, clinic=token.clinic, object_type="apitoken")
        return token


def resolve_token(plaintext: str) -> ApiToken | None:
    """The live token for a plaintext, or None (unknown, revoked, user or role disabled)."""
    with unscoped():  # the token names its clinic; nothing is scoped before it is known
        token = (
            ApiToken.objects.select_related("user", "clinic")
            .filter(digest=token_digest(plaintext), revoked_at=None)
            .first()
        )
    if token is None or not token.user.is_active:
        return None
    if not any(m.clinic_id == token.clinic_id for m in memberships_of(token.user)):
        return None
    return token


def token_ip_locked(ip: str) -> bool:
    """Too many invalid bearer tokens from this address lately (only the 401s count, not the 429s)."""
    failures = audit.recent_count(
        settings.TAUT_TOKEN_COOLOFF_SECONDS,
        action="access",
        outcome=AuditEntry.Outcome.DENIED,
        object_type="api",
        ip=ip,
        detail__reason=INVALID_TOKEN,
    )
    return failures >= int(settings.TAUT_TOKEN_FAILED_LIMIT)


def deny_locked_token_address() -> None:
    with transaction.atomic():
        audit.denied("api", "", reason="too many invalid tokens from this address")


def find_by_digest(model: Any, digest: str, field: str = "token_sha256") -> Any:
    """The object of a clinic-scoped model whose stored secret digest matches, in any clinic.

    A secret (such as an intake link) names its own clinic; nothing is scoped before it is known.
    """
    with unscoped():
        return model.objects.select_related("clinic").filter(**{field: digest}).first()


def touch_token(token: ApiToken) -> None:
    """Note when a token was last used (at most once a minute, to spare the database)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with unscoped():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def do_update_clinic(clinic: Clinic, data: dict[str, Any]) -> Clinic:
    """Change a clinic's name and contact details (owners only; checked by the caller's capability)."""
    for key, value in data.items():
        setattr(clinic, key, value)
    clinic.full_clean(exclude=["slug"])
    with transaction.atomic():
        clinic.save()
        audit.record("update", clinic, clinic=clinic, detail={"fields": sorted(data)})
    return clinic


def do_update_profile(user: User, data: dict[str, Any]) -> PractitionerProfile:
    """Create or change a person's own practitioner profile (credentials, modalities, languages)."""
    profile = PractitionerProfile.objects.filter(user=user).first() or PractitionerProfile(user=user)
    for key, value in data.items():
        setattr(profile, key, value)
    profile.full_clean(exclude=["user"])
    with transaction.atomic():
        profile.save()
        audit.record("update", profile, user=user, object_type="practitionerprofile", detail={"fields": sorted(data)})
    return profile
