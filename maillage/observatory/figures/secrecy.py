"""Statistical secrecy: the marker of a figure that is not published, and the primary rule.

A figure computed from fewer than ``MIN_STRUCTURES`` structures is secret; a figure of 0 structures is an empty one
(secret too unless the questionnaire shows it empty). Which other figures are hidden so that none of these can be
worked out by subtraction — on one page or across pages and exports, against an attacker who solves every sum
exactly — is decided once per year for all of them by `disclosure.py`, and kept in `Aggregate.secret`.
"""

from __future__ import annotations

from typing import Any

MIN_STRUCTURES = 5


class _Secret:
    """The marker of a figure under statistical secrecy (a singleton: compare with ``is``)."""

    _instance: _Secret | None = None

    def __new__(cls) -> _Secret:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "SECRET"

    def __str__(self) -> str:
        return "secret statistique"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self):
        return (_Secret, ())


SECRET = _Secret()
SECRET_LABEL = "secret statistique"
SECRET_MARK = "s"
SECRET_NOTE = (
    "s : secret statistique. Le chiffre repose sur moins de 5 structures, ou permettrait de retrouver un tel "
    "chiffre par différence avec un total publié."
)


def is_secret(value: Any) -> bool:
    return value is SECRET


def is_primary_secret(structures: int) -> bool:
    return structures < MIN_STRUCTURES
