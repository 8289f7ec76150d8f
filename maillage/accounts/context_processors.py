"""What the layout needs to know of the person: which spaces to offer in the menu."""

from . import perms


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_moderator": False, "is_national_admin": False}
    national = perms.is_national_admin(user)
    return {"is_moderator": national or perms.is_correspondent(user), "is_national_admin": national}
