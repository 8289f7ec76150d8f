"""Joining and « À faire » in a real browser, at 1280 and 375 px, with no blocking axe violation.

A newcomer opens a structure's page, « Demander à rejoindre » leads to the login page, then to the sign-up,
the e-mail's link brings them back to the request form of that structure; the department's correspondent,
past the second factor, lands on « À faire » and accepts from there. A correspondent without their phone
logs in with a recovery code.
"""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from maillage.accounts.models import AccessRequest, AccessRequestStatus, CorrespondentScope, Membership, User
from maillage.structures.models import Structure

from .pages import PASSWORD, blocking_violations, describe, log_in, second_factor, submit

SIZES = {"ordinateur": {"width": 1280, "height": 900}, "téléphone": {"width": 375, "height": 740}}


def check_page(page, axe, width: int) -> None:
    """No blocking axe violation, and nothing wider than the screen (no sideways scrolling)."""
    violations = blocking_violations(axe, page)
    assert violations == [], f"{page.url}\n{describe(violations)}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def correspondent_of(structure: Structure) -> tuple[User, TOTPDevice]:
    user = User.objects.create_user("correspondante@caf.test", password=PASSWORD, full_name="Inès Caf")
    CorrespondentScope.objects.create(user=user, department=structure.department, organisation="caf")
    return user, TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_newcomer_joins_and_correspondent_accepts_from_todo(site, new_page, axe, size):
    viewport = SIZES[size]
    structure = Structure.objects.filter(department__isnull=False).order_by("name").first()
    correspondent, device = correspondent_of(structure)
    team = User.objects.create_user("directrice@centre.test", password=PASSWORD, full_name="Claire Martin")
    Membership.objects.create(user=team, structure=structure)  # a team to join (a structure without one is claimed)

    # The structure's page → login page → sign-up.
    newcomer = new_page(viewport=viewport)
    newcomer.goto(site(structure.get_absolute_url()))
    submit(newcomer, newcomer.get_by_role("link", name=re.compile("Demander à rejoindre")))
    assert "/connexion/" in newcomer.url
    submit(newcomer, newcomer.get_by_role("link", name="Créer un compte"))
    check_page(newcomer, axe, viewport["width"])
    newcomer.get_by_label("Adresse e-mail").fill("nouvelle@centre.test")
    newcomer.get_by_label("Nom complet").fill("Nadia Benali")
    newcomer.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    newcomer.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    submit(newcomer, newcomer.get_by_role("button", name="Créer mon compte"))
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte aux lettres")

    # The e-mail's link: confirm, and back to the request form of that structure.
    link = re.search(r"https?://\S+(/inscription/confirmer/\S+)", mail.outbox[-1].body).group(1)
    newcomer.goto(site(link))
    submit(newcomer, newcomer.get_by_role("button", name=re.compile("Confirmer mon adresse")))
    expect(newcomer.get_by_role("heading", level=1)).to_contain_text(structure.name)
    check_page(newcomer, axe, viewport["width"])
    newcomer.get_by_label(re.compile("^Message")).fill("Je suis l'animatrice famille.")
    submit(newcomer, newcomer.get_by_role("button", name="Envoyer la demande"))
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("À faire")
    expect(newcomer.get_by_text(re.compile("1 demande en attente"))).to_be_visible()
    check_page(newcomer, axe, viewport["width"])

    # The correspondent lands on « À faire » and accepts from there, with a comment.
    moderator = new_page(viewport=viewport)
    log_in(moderator, site, correspondent.email)
    second_factor(moderator, device)
    expect(moderator.get_by_role("heading", level=1)).to_have_text("À faire")
    check_page(moderator, axe, viewport["width"])
    submit(moderator, moderator.get_by_role("link", name=re.compile("1 demande à traiter")))
    check_page(moderator, axe, viewport["width"])
    moderator.get_by_label("Commentaire pour le demandeur").fill("Bienvenue dans l'équipe !")
    submit(moderator, moderator.get_by_role("button", name=re.compile("^Accepter")))
    expect(moderator.get_by_text("est acceptée")).to_be_visible()

    request = AccessRequest.objects.get()
    assert request.status == AccessRequestStatus.ACCEPTED and request.decision_comment == "Bienvenue dans l'équipe !"
    assert Membership.objects.filter(user__email="nouvelle@centre.test", structure=structure).exists()
    assert "Bienvenue dans l'équipe !" in mail.outbox[-1].body


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_recovery_code_opens_the_space_without_the_phone(site, new_page, axe, size):
    viewport = SIZES[size]
    structure = Structure.objects.filter(department__isnull=False).order_by("name").first()
    correspondent, _ = correspondent_of(structure)
    static = StaticDevice.objects.create(user=correspondent, name="Codes de secours", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    StaticToken.objects.create(device=static, token="efgh6789")

    page = new_page(viewport=viewport)
    log_in(page, site, correspondent.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Double authentification")
    check_page(page, axe, viewport["width"])
    page.get_by_label(re.compile("ou code de secours")).fill("ABCD 2345")
    submit(page, page.get_by_role("button", name="Valider"))
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")
    expect(page.get_by_text(re.compile("Code de secours accepté : il vous en reste 1"))).to_be_visible()
    check_page(page, axe, viewport["width"])
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6789"]


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_setting_up_the_phone_shows_ten_recovery_codes_once(site, new_page, axe, size):
    from django_otp.oath import totp

    viewport = SIZES[size]
    structure = Structure.objects.filter(department__isnull=False).order_by("name").first()
    correspondent, device = correspondent_of(structure)
    device.delete()  # a new correspondent: no application yet

    page = new_page(viewport=viewport)
    log_in(page, site, correspondent.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Activer la double authentification")
    pending = TOTPDevice.objects.get(user=correspondent, confirmed=False)
    code = f"{totp(pending.bin_key, step=pending.step, t0=pending.t0, digits=pending.digits):06d}"
    page.get_by_label(re.compile("^Code à 6 chiffres")).fill(code)
    submit(page, page.get_by_role("button", name="Activer"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Codes de secours")
    codes = page.locator("ol.recovery-codes li")
    expect(codes).to_have_count(10)
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()  # shown by the script
    expect(page.get_by_role("link", name=re.compile("Télécharger"))).to_be_visible()
    check_page(page, axe, viewport["width"])
    shown = {text.replace(" ", "") for text in codes.all_inner_texts()}
    assert shown == set(StaticToken.objects.filter(device__user=correspondent).values_list("token", flat=True))

    submit(page, page.get_by_role("button", name="J'ai conservé mes codes"))
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")
    page.goto(site("/espace/compte/codes-de-secours/"))
    expect(page.locator("ol.recovery-codes li")).to_have_count(0)  # shown once
    expect(page.get_by_text(re.compile("10 codes de secours"))).to_be_visible()


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_newcomer_asks_for_a_new_structure_and_finds_one(site, new_page, axe, size):
    from maillage.accounts.models import StructureRequest

    viewport = SIZES[size]
    structure = Structure.objects.filter(department__isnull=False).order_by("name").first()
    User.objects.create_user("seule@centre.test", password=PASSWORD)
    page = new_page(viewport=viewport)
    log_in(page, site, "seule@centre.test")
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")

    submit(page, page.get_by_role("link", name="Rejoindre ma structure"))
    page.get_by_label(re.compile("^Nom, commune ou code postal")).fill(structure.name)
    submit(page, page.get_by_role("button", name="Chercher"))
    expect(page.get_by_text(structure.name).first).to_be_visible()
    check_page(page, axe, viewport["width"])

    submit(page, page.get_by_role("link", name="Demander la création d'une structure"))
    page.get_by_label("Nom de la structure").fill("Espace de vie sociale des Tilleuls")
    page.get_by_label("Espace de vie sociale").check()
    page.get_by_label("Département").select_option(label="Nord (59)")
    page.get_by_label("Commune").fill("Lille")
    page.get_by_label(re.compile("^Numéro SIRET")).fill("12345678901234")
    submit(page, page.get_by_role("button", name="Envoyer la demande"))
    expect(page.get_by_text(re.compile("Numéro SIRET : ce numéro n'est pas valide"))).to_be_visible()
    expect(page.get_by_label("Commune")).to_have_value("Lille")  # nothing typed is lost
    check_page(page, axe, viewport["width"])
    page.get_by_label(re.compile("^Numéro SIRET")).fill("")
    submit(page, page.get_by_role("button", name="Envoyer la demande"))
    expect(page.get_by_role("heading", level=1)).to_have_text("À faire")
    assert StructureRequest.objects.get().name == "Espace de vie sociale des Tilleuls"
