"""The contribution path in a real browser: an invitation, a sheet with a PDF, a return, a publication.

A structure administrator invites a member; the member accepts, writes a sheet, attaches a PDF and
submits it; the department's correspondent (with a second factor) returns it with a comment; the member
fixes it and submits again; the correspondent publishes it; the public finds it in the search.
"""

import re

from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts.models import CorrespondentScope, Membership, User
from maillage.actions.models import Action, ActionState
from maillage.referentials.models import Department
from maillage.structures.models import Structure

from .pages import PASSWORD, log_in, second_factor, submit

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
TITLE = "Cuisine partagée des voisins"


def test_invite_write_return_fix_publish_find(site, new_page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    structure = Structure.objects.filter(department__code="13").order_by("name").first()
    admin = User.objects.create_user("direction@centre.test", password=PASSWORD)
    Membership.objects.create(user=admin, structure=structure, is_admin=True)
    correspondent = User.objects.create_user("caf13@caf.test", password=PASSWORD)
    CorrespondentScope.objects.create(user=correspondent, department=Department.objects.get(code="13"),
                                      organisation="caf")  # fmt: skip
    device = TOTPDevice.objects.create(user=correspondent, name="téléphone", confirmed=True)
    pdf = tmp_path / "programme.pdf"
    pdf.write_bytes(PDF)

    # The structure's administrator invites a member.
    boss = new_page()
    log_in(boss, site, admin.email)
    boss.goto(site(f"/espace/equipe/{structure.pk}/"))
    boss.get_by_label("Adresse e-mail de la personne invitée").fill("nouvelle@centre.test")
    submit(boss, boss.get_by_role("button", name="Envoyer l'invitation"))
    link = re.search(r"https?://\S+/invitation/\S+/", mail.outbox[-1].body).group(0)

    # The member accepts, logs in, writes a sheet with a PDF and submits it.
    member = new_page()
    member.goto(site(link.split("/invitation/", 1)[1].join(["/invitation/", ""])))
    member.get_by_label("Nom complet").fill("Nadia Benali")
    member.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    member.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    submit(member, member.get_by_role("button", name=re.compile("Accepter|Créer|Rejoindre")))
    member.goto(site("/espace/"))
    member.get_by_role("link", name=re.compile("Nouvelle fiche")).first.click()
    member.get_by_label("Titre de l'action").fill(TITLE)
    member.get_by_label("En cours").check()
    member.get_by_label("Culture").check()
    member.get_by_label("Résumé").fill("Un repas <b>préparé</b> ensemble chaque mois.")
    member.get_by_label("Ajouter des fichiers").set_input_files(str(pdf))
    submit(member, member.get_by_role("button", name="Enregistrer", exact=True))
    assert Action.objects.get(title=TITLE).state == ActionState.DRAFT
    submit(member, member.get_by_role("button", name=re.compile("Enregistrer et soumettre")))
    sheet = Action.objects.get(title=TITLE)
    assert sheet.state == ActionState.SUBMITTED
    assert sheet.files.get().name == "programme.pdf"

    # The correspondent, past the second factor, returns it with a comment.
    moderator = new_page()
    log_in(moderator, site, correspondent.email)
    second_factor(moderator, device)
    moderator.goto(site("/moderation/"))
    moderator.get_by_role("link", name=TITLE).first.click()
    moderator.get_by_label("Commentaire pour la structure").fill("Précisez le public, s'il vous plaît.")
    submit(moderator, moderator.get_by_role("button", name="Renvoyer à la structure"))
    sheet.refresh_from_db()
    assert sheet.state == ActionState.RETURNED
    assert any("renvoyée" in message.subject for message in mail.outbox)

    # The member fixes it and submits again; the correspondent publishes it.
    member.goto(site(f"/espace/fiches/{sheet.pk}/modifier/"))
    member.get_by_label("Résumé").fill("Un repas préparé ensemble chaque mois, ouvert aux familles du quartier.")
    submit(member, member.get_by_role("button", name=re.compile("Enregistrer et soumettre")))
    sheet.refresh_from_db()
    assert sheet.state == ActionState.SUBMITTED
    moderator.goto(site(f"/moderation/fiches/{sheet.pk}/"))
    submit(moderator, moderator.get_by_role("button", name="Publier"))
    sheet.refresh_from_db()
    assert sheet.state == ActionState.PUBLISHED

    # The public finds it, with its text shown as text.
    public = new_page()
    public.goto(site("/actions/?q=cuisine+partagée"))
    public.get_by_role("link", name=TITLE).click()
    assert public.get_by_role("heading", level=1).inner_text() == TITLE
    assert "familles du quartier" in public.content()
    assert public.get_by_role("link", name="programme.pdf").count() == 1
