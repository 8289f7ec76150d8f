"""How a newcomer joins: an account of their own (confirmed by e-mail), then a request that the department's
correspondents decide — join a structure, claim one that has no member, or have a new one created.

Each change is one transactional function that checks who acts, writes the audit log and sends its e-mail
once the transaction commits (through `services._send`, the accounts' one way of sending mail).
"""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from maillage.audit.models import AuditAction
from maillage.audit.services import log_event

from . import perms, services
from .models import AccessRequestStatus, CorrespondentScope, Membership, StructureRequest, User

# --- signing up ----------------------------------------------------------------------------------


class ConfirmationTokens(PasswordResetTokenGenerator):
    """Links that confirm a new account's address: not valid as a password-reset link (another salt), and
    spent once the address is confirmed."""

    key_salt = "maillage.accounts.joining.ConfirmationTokens"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_confirmed_at}{user.is_active}{timestamp}"


confirmation_tokens = ConfirmationTokens()
# A sign-up never confirmed is erased after this long (its link works 3 days: PASSWORD_RESET_TIMEOUT).
UNCONFIRMED_KEPT = timedelta(days=7)


def sign_up(*, email: str, full_name: str, password: str, next_url: str = "", request=None) -> None:
    """Create an account that opens once its address is confirmed. Whether the address already has an account
    is said only to its mailbox (the page is the same either way)."""
    email = User.objects.normalize_email(email).strip().lower()
    with transaction.atomic():
        forget_unconfirmed_sign_ups()
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, password, full_name=full_name.strip(), is_active=False, email_confirmed_at=None
            )
            log_event(AuditAction.ACCESS_REQUEST, actor=user, request=request, target=user, event="sign_up")
        if user.email_confirmed_at is None:
            # An unconfirmed account keeps its first password: a second sign-up must not choose it for the owner.
            context = {"link": confirmation_link(user, next_url), "user": user}
            transaction.on_commit(lambda: services._send("signup_confirm", context, [email]))
        else:
            context = {
                "login": settings.SITE_URL + reverse("account:login") + _next_query(next_url),
                "reset": settings.SITE_URL + reverse("account:password-reset"),
            }
            transaction.on_commit(lambda: services._send("signup_existing", context, [email]))


def forget_unconfirmed_sign_ups(now=None) -> int:
    """Erase the sign-ups never confirmed within `UNCONFIRMED_KEPT` (done at each sign-up: no timer needed)."""
    limit = (now or timezone.now()) - UNCONFIRMED_KEPT
    stale = User.objects.filter(email_confirmed_at__isnull=True, last_login__isnull=True, date_joined__lt=limit)
    return stale.delete()[0]


def confirmation_link(user: User, next_url: str = "") -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("account:signup-confirm", args=[uid, confirmation_tokens.make_token(user)])
    return settings.SITE_URL + path + _next_query(next_url)


def _next_query(next_url: str) -> str:
    return "?" + urlencode({"next": next_url}) if next_url else ""


def confirm_email(uidb64: str, token: str, *, request=None) -> User | None:
    """The account of a valid confirmation link, now open; None for an unknown, used or expired link."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=pk, email_confirmed_at__isnull=True).first()
        if user is None or not confirmation_tokens.check_token(user, token):
            return None
        user.email_confirmed_at = timezone.now()
        user.is_active = True
        user.save(update_fields=["email_confirmed_at", "is_active"])
        log_event(AuditAction.ACCESS_REQUEST, actor=user, request=request, target=user, event="email_confirmed")
    return user


# --- who decides ---------------------------------------------------------------------------------


def deciders_emails(department_id: int | None) -> list[str]:
    """The department's correspondents; the national administrators when it has none."""
    people = User.objects.filter(is_active=True)
    emails = []
    if department_id is not None:
        emails = list(people.filter(correspondent_scopes__department_id=department_id).values_list("email", flat=True))
    if not emails:
        emails = list(people.filter(is_national_admin=True).values_list("email", flat=True))
    return sorted(set(emails))


def department_moderators(department) -> dict:
    """What a department's public page says of who decides there: the correspondents who agreed to be named
    (with the contact address they chose), and how many others each organisation has."""
    scopes = list(
        CorrespondentScope.objects.filter(department=department, user__is_active=True)
        .select_related("user")
        .order_by("organisation", "user__full_name", "user__email")
    )
    named = [scope for scope in scopes if scope.user.listed_as_correspondent and scope.user.full_name]
    unnamed: dict[str, int] = {}
    for scope in scopes:
        if scope not in named:
            label = scope.get_organisation_display()
            unnamed[label] = unnamed.get(label, 0) + 1
    return {"named": named, "unnamed": sorted(unnamed.items()), "any": bool(scopes)}


# --- new structures ------------------------------------------------------------------------------


class StructureRequestError(Exception):
    """The request cannot be made or decided; the message is for people."""


@transaction.atomic
def request_structure(*, user: User, values: dict, request=None) -> StructureRequest:
    """Ask the department's correspondents to create a structure (`values`: name, kind, department, commune,
    postcode, siret, message — checked by the form)."""
    if StructureRequest.objects.filter(
        user=user, department=values["department"], name__iexact=values["name"], status=AccessRequestStatus.PENDING
    ).exists():
        raise StructureRequestError(
            "Vous avez déjà demandé la création de cette structure : la demande est en attente."
        )
    structure_request = StructureRequest.objects.create(user=user, **values)
    log_event(AuditAction.ACCESS_REQUEST, actor=user, request=request, target=structure_request, event="new_structure")
    context = {"structure_request": structure_request, "link": settings.SITE_URL + reverse("account:access-requests")}
    recipients = deciders_emails(structure_request.department_id)
    if recipients:
        transaction.on_commit(lambda: services._send("structure_request_new", context, recipients))
    return structure_request


def decidable_structure_requests(user):
    queryset = StructureRequest.objects.filter(status=AccessRequestStatus.PENDING).select_related("user", "department")
    if perms.is_national_admin(user):
        return queryset
    return queryset.filter(department_id__in=perms.department_ids(user))


def can_decide_structure_request(user, structure_request: StructureRequest) -> bool:
    return perms.can_moderate_department(user, structure_request.department_id)


@transaction.atomic
def decide_structure_request(
    structure_request: StructureRequest, *, accept: bool, comment: str = "", acting_user: User, request=None
) -> StructureRequest:
    """Accept (the structure is created, the person becomes its administrator) or refuse (with a comment)."""
    from maillage.structures.editing import create_structure

    if not can_decide_structure_request(acting_user, structure_request):
        raise PermissionDenied("Seuls les correspondants du département décident de cette demande.")
    structure_request = StructureRequest.objects.select_for_update().get(pk=structure_request.pk)
    services.stamp_decision(structure_request, accept=accept, comment=comment, acting_user=acting_user,
                            error=StructureRequestError)  # fmt: skip
    if accept:
        fields = ("name", "kind", "department", "commune", "postcode", "siret")
        values = {field: getattr(structure_request, field) for field in fields}
        structure_request.structure = create_structure(values, acting_user=acting_user, request=request)
        Membership.objects.create(user=structure_request.user, structure=structure_request.structure, is_admin=True)
    structure_request.save()
    services.announce_decision(structure_request, "structure_request", acting_user=acting_user, request=request,
                               structure_request=structure_request.pk)  # fmt: skip
    return structure_request
