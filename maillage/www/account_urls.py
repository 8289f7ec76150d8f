from django.contrib.auth import views as auth_views
from django.urls import path

from . import account, account_security, joining, todo

app_name = "account"
urlpatterns = [
    path("connexion/", account.LoginView.as_view(), name="login"),
    path("deconnexion/", account.LogoutView.as_view(), name="logout"),
    path("connexion/double-authentification/", account.two_factor_verify, name="two-factor-verify"),
    path("connexion/double-authentification/activer/", account.two_factor_setup, name="two-factor-setup"),
    path("espace/compte/codes-de-secours/", account_security.recovery_codes, name="recovery-codes"),
    path(
        "espace/compte/codes-de-secours/telecharger/",
        account_security.recovery_codes_download,
        name="recovery-codes-download",
    ),
    path("espace/compte/double-authentification/remplacer/", account_security.replace_app, name="two-factor-replace"),
    path("mot-de-passe/oublie/", account.PasswordResetView.as_view(), name="password-reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("invitation/<str:token>/", account.invitation, name="invitation"),
    path("confidentialite/", account.privacy, name="privacy"),
    path("espace/a-faire/", todo.todo, name="todo"),
    path("espace/signalements/<int:pk>/traite/", todo.error_report_handled, name="error-report-handled"),
    path("espace/compte/", account.home, name="home"),
    path("espace/compte/mes-donnees/", account.data_download, name="data-download"),
    path("espace/compte/supprimer/", account.delete_account, name="delete"),
    path("espace/invitations/", account.invitation_list, name="invitations"),
    path("espace/invitations/<int:pk>/annuler/", account.invitation_cancel, name="invitation-cancel"),
    path("espace/invitations/correspondant/", account.correspondent_invite, name="correspondent-invite"),
    path("espace/equipe/<int:structure_pk>/", account.team, name="team"),
    path(
        "espace/equipe/<int:structure_pk>/membres/<int:membership_pk>/retirer/",
        account.member_remove,
        name="member-remove",
    ),
    path("inscription/", joining.signup, name="signup"),
    path("inscription/confirmer/<str:uidb64>/<str:token>/", joining.signup_confirm, name="signup-confirm"),
    path("espace/rejoindre/", joining.join, name="join"),
    path("espace/rejoindre/nouvelle-structure/", joining.structure_request, name="structure-request"),
    path("espace/demandes-acces/", joining.request_list, name="access-requests"),
    path("espace/demandes-acces/structure/<int:structure_pk>/", joining.access_request, name="access-request"),
    path(
        "espace/demandes-acces/<int:pk>/accepter/",
        joining.access_request_decide,
        {"accept": True},
        name="access-request-accept",
    ),
    path(
        "espace/demandes-acces/<int:pk>/refuser/",
        joining.access_request_decide,
        {"accept": False},
        name="access-request-refuse",
    ),
    path(
        "espace/demandes-acces/creation/<int:pk>/accepter/",
        joining.structure_request_decide,
        {"accept": True},
        name="structure-request-accept",
    ),
    path(
        "espace/demandes-acces/creation/<int:pk>/refuser/",
        joining.structure_request_decide,
        {"accept": False},
        name="structure-request-refuse",
    ),
]
