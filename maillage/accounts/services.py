"""Invitations, members of structures, access requests and personal data: each change is one transactional
function that checks who acts, writes the audit log and sends its e-mail once the transaction commits."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import resolve_url
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from maillage.audit.models import AuditAction, AuditEvent
from maillage.audit.services import log_event
from maillage.jobs.mail import queue_email

from . import perms
from .models import (
    AccessRequest,
    AccessRequestKind,
    AccessRequestStatus,
    CorrespondentScope,
    Invitation,
    InvitationRole,
    Membership,
    User,
)
from .tokens import new_token, token_hash

INVITATION_LIFETIME = timedelta(days=7)


class InvitationError(Exception):
    """A link that cannot be used; `status` is 400 (unknown), 403 (another account) or 410 (used, cancelled,
    expired)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


# --- invitations ---------------------------------------------------------------------------------


def invite_to_structure(*, inviter: User, structure, email: str, is_admin: bool, request=None) -> Invitation:
    if not perms.can_manage_members(inviter, structure):
        raise PermissionDenied("Vous ne gérez pas les membres de cette structure.")
    role = InvitationRole.STRUCTURE_ADMIN if is_admin else InvitationRole.MEMBER
    return _invite(inviter=inviter, email=email, role=role, structure=structure, request=request)


def invite_correspondent(*, inviter: User, email: str, departments, organisation: str, request=None) -> Invitation:
    if not perms.is_national_admin(inviter):
        raise PermissionDenied("Seuls les administrateurs nationaux invitent des correspondants.")
    return _invite(
        inviter=inviter,
        email=email,
        role=InvitationRole.CORRESPONDENT,
        departments=list(departments),
        organisation=organisation,
        request=request,
    )


@transaction.atomic
def _invite(*, inviter, email, role, structure=None, departments=(), organisation="", request=None) -> Invitation:
    email = User.objects.normalize_email(email).strip().lower()
    now = timezone.now()
    # A new invitation replaces the pending one for the same person and place: only the last link works.
    Invitation.objects.pending().filter(email=email, structure=structure, role__in=_same_kind(role)).update(
        cancelled_at=now
    )
    token = new_token()
    invitation = Invitation.objects.create(
        email=email,
        role=role,
        structure=structure,
        organisation=organisation,
        token_hash=token_hash(token),
        invited_by=inviter,
        expires_at=now + INVITATION_LIFETIME,
    )
    if departments:
        invitation.departments.set(departments)
    log_event(
        AuditAction.INVITATION,
        actor=inviter,
        request=request,
        target=invitation,
        email=email,
        role=role,
        departments=[department.code for department in departments],
    )
    context = {
        "invitation": invitation,
        "departments": list(departments),
        "link": settings.SITE_URL + reverse("account:invitation", args=[token]),
        "days": INVITATION_LIFETIME.days,
    }
    transaction.on_commit(lambda: _send("invitation", context, [email]))
    return invitation


def _same_kind(role: str) -> list[str]:
    if role == InvitationRole.CORRESPONDENT:
        return [InvitationRole.CORRESPONDENT]
    return [InvitationRole.MEMBER, InvitationRole.STRUCTURE_ADMIN]


def invitation_for_token(token: str, *, for_update: bool = False) -> Invitation:
    """The invitation a link points to, or an `InvitationError` saying why it cannot be used."""
    queryset = Invitation.objects.select_related("structure", "invited_by")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise InvitationError("Ce lien d'invitation n'est pas valide.", 400)
    if invitation.accepted_at is not None:
        raise InvitationError("Cette invitation a déjà été acceptée : le lien ne sert qu'une fois.", 410)
    if invitation.cancelled_at is not None:
        raise InvitationError("Cette invitation a été annulée ou remplacée par une invitation plus récente.", 410)
    if invitation.expires_at <= timezone.now():
        raise InvitationError("Cette invitation a expiré : un lien d'invitation n'est valable que 7 jours.", 410)
    return invitation


def is_invited_address(invitation: Invitation, user: User) -> bool:
    """An invitation is accepted only by the account of the address it was sent to."""
    return user.email.strip().lower() == invitation.email.strip().lower()


def masked_email(email: str) -> str:
    """The address with its name hidden but its first letter (« j•••@exemple.fr »), to say where a link went."""
    name, _, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}"


@transaction.atomic
def accept_invitation(
    token: str, *, user: User | None = None, full_name: str = "", password: str | None = None, request=None
) -> User:
    """Give the invited role to `user` (logged in with the invited address), or to a new account created with
    the invited e-mail."""
    invitation = invitation_for_token(token, for_update=True)
    if user is not None and not is_invited_address(invitation, user):
        raise InvitationError(
            f"Cette invitation a été envoyée à une autre adresse ({masked_email(invitation.email)}) : seul le compte "
            "de cette adresse peut l'accepter.",
            403,
        )
    if user is None:
        user = User.objects.filter(email=invitation.email).first()
        if user is not None and user.email_confirmed_at is not None:
            raise InvitationError("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.", 400)
        if user is None:
            user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
        else:  # a sign-up never confirmed: the invitation's link proves the address as well
            user.set_password(password)
            user.full_name = full_name.strip()
            user.is_active = True
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["password", "full_name", "is_active", "email_confirmed_at"])
    granted = _grant(invitation, user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log_event(AuditAction.INVITATION_ACCEPTED, actor=user, request=request, target=invitation, granted=granted)
    return user


def _grant(invitation: Invitation, user: User) -> list[str]:
    if invitation.role == InvitationRole.CORRESPONDENT:
        granted = []
        for department in invitation.departments.all():
            CorrespondentScope.objects.update_or_create(
                user=user, department=department, defaults={"organisation": invitation.organisation}
            )
            granted.append(f"correspondant {department.code}")
        return granted
    is_admin = invitation.role == InvitationRole.STRUCTURE_ADMIN
    membership, created = Membership.objects.get_or_create(
        user=user, structure=invitation.structure, defaults={"is_admin": is_admin}
    )
    if not created and is_admin and not membership.is_admin:
        membership.is_admin = True
        membership.save(update_fields=["is_admin"])
    return [f"{invitation.get_role_display()} {invitation.structure_id}"]


def can_cancel_invitation(user, invitation: Invitation) -> bool:
    if invitation.invited_by_id == user.pk or perms.is_national_admin(user):
        return True
    return invitation.structure_id is not None and perms.can_manage_members(user, invitation.structure)


@transaction.atomic
def cancel_invitation(invitation: Invitation, *, acting_user: User, request=None) -> None:
    if not can_cancel_invitation(acting_user, invitation):
        raise PermissionDenied("Vous ne pouvez pas annuler cette invitation.")
    if not invitation.is_pending:
        return
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    log_event(AuditAction.INVITATION, actor=acting_user, request=request, target=invitation, cancelled=True)


# --- members -------------------------------------------------------------------------------------


class MembershipError(Exception):
    """A member cannot be attached or removed; the message is for people."""


@transaction.atomic
def assign_member(structure, email: str, *, is_admin: bool, acting_user: User, request=None) -> Membership:
    """Make an existing account a member (or administrator) of the structure, or change its role."""
    if not perms.can_assign_members(acting_user, structure):
        raise PermissionDenied(
            "Seuls les correspondants du département et les administrateurs nationaux rattachent un compte."
        )
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.is_active:
        raise MembershipError(
            f"Aucun compte actif n'utilise l'adresse {email.strip()} : invitez plutôt cette personne par e-mail."
        )
    membership, created = Membership.objects.get_or_create(
        user=user, structure=structure, defaults={"is_admin": is_admin}
    )
    if not created and membership.is_admin == is_admin:
        raise MembershipError(f"{user.email} a déjà ce rôle dans cette structure.")
    if not created:
        membership.is_admin = is_admin
        membership.save(update_fields=["is_admin"])
    _log_member_change(
        membership, "ajout" if created else "changement de rôle", acting_user=acting_user, request=request
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, acting_user: User, request=None) -> None:
    if not perms.can_manage_members(acting_user, membership.structure):
        raise PermissionDenied("Vous ne gérez pas les membres de cette structure.")
    if membership.user_id == acting_user.pk:
        raise MembershipError("Vous ne pouvez pas vous retirer vous-même de la structure.")
    _log_member_change(membership, "retrait", acting_user=acting_user, request=request)
    membership.delete()


def _log_member_change(membership: Membership, change: str, *, acting_user: User, request) -> None:
    """One shape for the `ROLE_CHANGED` events of a structure's members (invitations and access requests log
    their own). The person concerned is the target, so that the event is in their personal data; `role` is
    the role given, or the one removed."""
    log_event(
        AuditAction.ROLE_CHANGED,
        actor=acting_user,
        request=request,
        target=membership.user,
        structure=membership.structure_id,
        member=membership.user.email,
        role="administrateur" if membership.is_admin else "membre",
        change=change,
    )


# --- access requests -----------------------------------------------------------------------------


class AccessRequestError(Exception):
    pass


@transaction.atomic
def request_access(*, user: User, structure, message: str = "", request=None) -> AccessRequest:
    """Ask to join a structure; one that has no member is claimed (its correspondents decide)."""
    if Membership.objects.filter(user=user, structure=structure).exists():
        raise AccessRequestError("Vous êtes déjà membre de cette structure.")
    if AccessRequest.objects.filter(user=user, structure=structure, status=AccessRequestStatus.PENDING).exists():
        raise AccessRequestError("Vous avez déjà une demande en attente pour cette structure.")
    has_member = Membership.objects.filter(structure=structure).exists()
    kind = AccessRequestKind.JOIN if has_member else AccessRequestKind.CLAIM
    access_request = AccessRequest.objects.create(user=user, structure=structure, message=message.strip(), kind=kind)
    log_event(AuditAction.ACCESS_REQUEST, actor=user, request=request, target=structure, requested=True, kind=kind)
    recipients = _deciders_emails(structure)
    context = {"access_request": access_request, "link": settings.SITE_URL + reverse("account:access-requests")}
    if recipients:
        transaction.on_commit(lambda: _send("access_request_new", context, recipients))
    return access_request


def _deciders_emails(structure) -> list[str]:
    """Its administrators; the department's correspondents when it has none (else the national administrators)."""
    from .joining import deciders_emails

    admins = User.objects.filter(memberships__structure=structure, memberships__is_admin=True, is_active=True)
    emails = list(admins.values_list("email", flat=True))
    return sorted(set(emails)) or deciders_emails(structure.department_id)


def decidable_access_requests(user):
    """Pending requests the person may accept or refuse."""
    queryset = AccessRequest.objects.filter(status=AccessRequestStatus.PENDING).select_related(
        "user", "structure", "structure__department"
    )
    if perms.is_national_admin(user):
        return queryset
    admin_of = Membership.objects.filter(user=user, is_admin=True).values("structure_id")

    # A claim is the correspondents' to decide, even if the structure has an administrator since.
    as_admin = Q(structure_id__in=admin_of, kind=AccessRequestKind.JOIN)
    return queryset.filter(as_admin | Q(structure__department_id__in=perms.department_ids(user)))


def can_decide_access_request(user, access_request: AccessRequest) -> bool:
    """A join: the structure's administrators and its correspondents; a claim: its correspondents only."""
    if access_request.kind == AccessRequestKind.CLAIM:
        return perms.can_moderate_department(user, access_request.structure.department_id)
    return perms.can_manage_members(user, access_request.structure)


@transaction.atomic
def decide_access_request(
    access_request: AccessRequest, *, accept: bool, comment: str = "", acting_user: User, request=None
) -> None:
    """Accept (a claim makes the person the structure's administrator) or refuse, with a comment for the
    person (required to refuse)."""
    if not can_decide_access_request(acting_user, access_request):
        raise PermissionDenied("Vous ne gérez pas les membres de cette structure.")
    access_request = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
    stamp_decision(access_request, accept=accept, comment=comment, acting_user=acting_user, error=AccessRequestError)
    access_request.save(update_fields=["status", "decided_at", "decided_by", "decision_comment"])
    if accept:
        is_admin = access_request.kind == AccessRequestKind.CLAIM
        membership, created = Membership.objects.get_or_create(
            user=access_request.user, structure=access_request.structure, defaults={"is_admin": is_admin}
        )
        if is_admin and not membership.is_admin:
            membership.is_admin = True
            membership.save(update_fields=["is_admin"])
    announce_decision(access_request, "access_request", acting_user=acting_user, request=request,
                      structure=access_request.structure_id)  # fmt: skip


def stamp_decision(pending, *, accept: bool, comment: str, acting_user: User, error: type[Exception]) -> None:
    """Mark a request (to join a structure, or to create one) accepted or refused by `acting_user`, with the
    comment; `error` when it was already decided, or refused without a comment. The caller saves it."""
    if pending.status != AccessRequestStatus.PENDING:
        raise error("Cette demande a déjà été traitée.")
    comment = comment.strip()
    if not accept and not comment:
        raise error("Commentaire : indiquez au demandeur pourquoi la demande est refusée.")
    pending.status = AccessRequestStatus.ACCEPTED if accept else AccessRequestStatus.REFUSED
    pending.decided_at = timezone.now()
    pending.decided_by = acting_user
    pending.decision_comment = comment


def announce_decision(pending, kind: str, *, acting_user: User, request=None, **audit) -> None:
    """Log the decision of a request in the audit log, and tell the person by e-mail (template
    `account/email/<kind>_decision`) once the transaction commits."""
    log_event(AuditAction.ACCESS_REQUEST, actor=acting_user, request=request, target=pending.user,
              decision=pending.status, **audit)  # fmt: skip
    context = {
        kind: pending,
        "accepted": pending.status == AccessRequestStatus.ACCEPTED,
        "link": settings.SITE_URL + resolve_url(settings.LOGIN_REDIRECT_URL),
    }
    recipient = pending.user.email
    transaction.on_commit(lambda: _send(f"{kind}_decision", context, [recipient]))


# --- personal data -------------------------------------------------------------------------------


def personal_data(user: User) -> dict:
    """Everything the platform keeps about a person, as JSON-ready data."""

    events = AuditEvent.objects.filter(
        Q(actor=user) | Q(actor_email=user.email) | Q(object_type="accounts.user", object_id=str(user.pk))
    ).order_by("created_at", "id")
    return {
        "compte": {
            "email": user.email,
            "nom": user.full_name,
            "inscrit_le": _iso(user.date_joined),
            "derniere_connexion": _iso(user.last_login),
            "administrateur_national": user.is_national_admin,
            "double_authentification": _has_device(user),
            "adresse_confirmee_le": _iso(user.email_confirmed_at),
            "nom_affiche_comme_correspondant": user.listed_as_correspondent,
            "adresse_de_contact_publiee": user.public_contact_email,
        },
        "structures": [
            {
                "structure_id": membership.structure_id,
                "structure": membership.structure.name,
                "administrateur": membership.is_admin,
                "depuis": _iso(membership.created_at),
            }
            for membership in user.memberships.select_related("structure").order_by("created_at")
        ],
        "mandats_de_correspondant": [
            {
                "departement": scope.department.code,
                "nom": scope.department.name,
                "mandate_par": scope.get_organisation_display(),
                "depuis": _iso(scope.created_at),
            }
            for scope in user.correspondent_scopes.select_related("department").order_by("created_at")
        ],
        "demandes_d_acces": [
            {
                "structure_id": item.structure_id,
                "etat": item.status,
                "message": item.message,
                "commentaire_de_la_decision": item.decision_comment,
                "le": _iso(item.created_at),
            }
            for item in user.access_requests.order_by("created_at")
        ],
        "demandes_de_creation_de_structure": [
            {
                "nom": item.name,
                "type": item.kind,
                "departement": item.department.code,
                "commune": item.commune,
                "siret": item.siret,
                "message": item.message,
                "etat": item.status,
                "commentaire_de_la_decision": item.decision_comment,
                "le": _iso(item.created_at),
            }
            for item in user.structure_requests.select_related("department").order_by("created_at")
        ],
        "journal": [
            {
                "date": _iso(event.created_at),
                "action": event.action,
                "libelle": event.get_action_display(),
                "adresse_ip": event.ip_address,
                "objet": event.object_repr,
                "details": event.details,
            }
            for event in events
        ],
    }


def export_personal_data(user: User, *, request=None) -> dict:
    data = personal_data(user)
    log_event(AuditAction.EXPORT_PERSONAL_DATA, actor=user, request=request, target=user)
    return data


@transaction.atomic
def delete_account(user: User, *, request=None) -> None:
    """Delete the account, its memberships and mandates; the audit log keeps the e-mail (`actor_email`)."""
    log_event(
        AuditAction.ACCOUNT_DELETED,
        actor=user,
        request=request,
        target=user,
        structures=sorted(user.memberships.values_list("structure_id", flat=True)),
    )
    user.delete()


def _has_device(user: User) -> bool:
    from django_otp import user_has_device

    return user_has_device(user)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _send(kind: str, context: dict, recipients: list[str]) -> None:
    subject = " ".join(render_to_string(f"account/email/{kind}_subject.txt", context).split())
    body = render_to_string(f"account/email/{kind}.txt", context)
    queue_email(subject, body, recipients)
