"""Argument types shared by the observatory's commands."""

from datetime import date

from django.core.management.base import CommandError


def french_date(text: str) -> date:
    """A jj/mm/aaaa date given on the command line."""
    try:
        day, month, year = (int(part) for part in text.split("/"))
        return date(year, month, day)
    except ValueError:
        raise CommandError(f"« {text} » n'est pas une date jj/mm/aaaa.") from None
