"""People who log in (by e-mail) and their roles.

Roles: *membre de structure* (`Membership`, with `is_admin` for the structure's administrators, who
invite and remove members), *correspondant* (`CorrespondentScope`: CAF or federation, one row per
department), *administrateur national* (`User.is_national_admin`). The public needs no account.
What each role may do is decided in one place: `accounts.perms`.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from maillage.structures.models import StructureKind


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("adresse e-mail", unique=True)
    full_name = models.CharField("nom complet", max_length=200, blank=True)
    is_staff = models.BooleanField(
        "accès à l'administration",
        default=False,
        help_text="Peut se connecter à l'interface d'administration.",
    )
    is_active = models.BooleanField("actif", default=True)
    is_national_admin = models.BooleanField(
        "administrateur national",
        default=False,
        help_text="Voit et modère tout, gère les comptes, les questionnaires et les campagnes.",
    )
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)
    email_confirmed_at = models.DateTimeField(
        "adresse confirmée le",
        null=True,
        blank=True,
        default=timezone.now,
        help_text="Vide tant que la personne inscrite n'a pas ouvert le lien de confirmation reçu par e-mail.",
    )
    # What a correspondent agrees to show on the pages of their departments (nothing by default).
    listed_as_correspondent = models.BooleanField(
        "nom affiché sur les pages de mes départements",
        default=False,
        help_text="Votre nom et votre organisme apparaissent sur la page publique de chaque département que vous "
        "modérez.",
    )
    public_contact_email = models.EmailField(
        "adresse de contact publiée",
        blank=True,
        help_text="Facultative : une adresse (par exemple celle de votre service) affichée avec votre nom.",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Membership(models.Model):
    """A person working for a structure; its administrators invite and remove the other members."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    structure = models.ForeignKey("structures.Structure", on_delete=models.CASCADE, related_name="memberships")
    is_admin = models.BooleanField("administrateur de la structure", default=False)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "membre de structure"
        verbose_name_plural = "membres de structures"
        constraints = [models.UniqueConstraint(fields=["user", "structure"], name="unique_membership")]
        indexes = [models.Index(fields=["structure", "user"])]

    def __str__(self) -> str:
        role = "administrateur" if self.is_admin else "membre"
        return f"{self.user} — {role} de {self.structure}"


class Organisation(models.TextChoices):
    CAF = "caf", "Caf"
    FEDERATION = "federation", "Fédération des centres sociaux"


class CorrespondentScope(models.Model):
    """A territorial correspondent's mandate on one department (CAF or federation)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="correspondent_scopes")
    department = models.ForeignKey(
        "referentials.Department", on_delete=models.CASCADE, related_name="correspondent_scopes"
    )
    organisation = models.CharField("mandaté par", max_length=12, choices=Organisation.choices)
    created_at = models.DateTimeField("depuis le", auto_now_add=True)

    class Meta:
        verbose_name = "mandat de correspondant"
        verbose_name_plural = "mandats de correspondants"
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="unique_correspondent_scope")]
        indexes = [models.Index(fields=["department", "user"])]

    def __str__(self) -> str:
        return f"{self.user} — correspondant ({self.get_organisation_display()}) {self.department}"


class InvitationRole(models.TextChoices):
    MEMBER = "member", "membre de la structure"
    STRUCTURE_ADMIN = "structure_admin", "administrateur de la structure"
    CORRESPONDENT = "correspondent", "correspondant"


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An e-mail invitation to join a structure or to become a correspondent.

    The link carries a random token; only its SHA-256 is stored, and the link works once, for 7 days.
    """

    email = models.EmailField("adresse e-mail invitée")
    role = models.CharField("rôle", max_length=20, choices=InvitationRole.choices)
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name="structure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    departments = models.ManyToManyField(
        "referentials.Department", verbose_name="départements", blank=True, related_name="+"
    )
    organisation = models.CharField("mandaté par", max_length=12, choices=Organisation.choices, blank=True)
    token_hash = models.CharField("empreinte du lien", max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User, verbose_name="invité par", on_delete=models.SET_NULL, null=True, related_name="sent_invitations"
    )
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, verbose_name="acceptée par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        verbose_name_plural = "invitations"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["structure", "email"]), models.Index(fields=["invited_by", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="correspondent") | models.Q(structure__isnull=True),
                name="invitation_correspondent_without_structure",
            ),
            models.CheckConstraint(
                condition=models.Q(role="correspondent") | models.Q(structure__isnull=False),
                name="invitation_member_with_structure",
            ),
        ]

    def __str__(self) -> str:
        where = f" — {self.structure}" if self.structure_id else ""
        return f"{self.email} ({self.get_role_display()}){where}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > timezone.now()


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", "en attente"
    ACCEPTED = "accepted", "acceptée"
    REFUSED = "refused", "refusée"


class AccessRequestKind(models.TextChoices):
    JOIN = "join", "rejoindre la structure"
    CLAIM = "claim", "prendre en charge la structure (sans membre)"


class AccessRequest(models.Model):
    """A person asks to join a structure; its administrators or the department's correspondents decide.

    A structure with no member is *claimed*: only the department's correspondents decide, and the person
    becomes its administrator."""

    kind = models.CharField("demande", max_length=5, choices=AccessRequestKind.choices, default=AccessRequestKind.JOIN)
    user = models.ForeignKey(User, verbose_name="demandeur", on_delete=models.CASCADE, related_name="access_requests")
    structure = models.ForeignKey(
        "structures.Structure", verbose_name="structure", on_delete=models.CASCADE, related_name="access_requests"
    )
    message = models.TextField("message", max_length=1000, blank=True)
    status = models.CharField(
        "état", max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name="décidée par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_comment = models.TextField("commentaire de la décision", max_length=1000, blank=True)

    class Meta:
        verbose_name = "demande d'accès"
        verbose_name_plural = "demandes d'accès"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["structure", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "structure"],
                condition=models.Q(status="pending"),
                name="unique_pending_access_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.structure} ({self.get_status_display()})"


class StructureRequest(models.Model):
    """A person asks for a structure missing from the directory; the department's correspondents decide, and
    on acceptance the structure is created with the person as its administrator."""

    user = models.ForeignKey(
        User, verbose_name="demandeur", on_delete=models.CASCADE, related_name="structure_requests"
    )
    name = models.CharField("nom de la structure", max_length=300)
    kind = models.CharField("type", max_length=3, choices=StructureKind.choices)
    department = models.ForeignKey(
        "referentials.Department", verbose_name="département", on_delete=models.PROTECT, related_name="+"
    )
    commune = models.CharField("commune", max_length=200)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    siret = models.CharField("numéro SIRET", max_length=14, blank=True)
    message = models.TextField("message", max_length=1000, blank=True)
    status = models.CharField(
        "état", max_length=10, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    created_at = models.DateTimeField("demandée le", auto_now_add=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name="décidée par", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_comment = models.TextField("commentaire de la décision", max_length=1000, blank=True)
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name="structure créée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "demande de création de structure"
        verbose_name_plural = "demandes de création de structures"
        ordering = ["created_at"]
        indexes = [models.Index(fields=["department", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(structure__isnull=False),
                name="structure_request_accepted_has_structure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → nouvelle structure {self.name} ({self.get_status_display()})"
