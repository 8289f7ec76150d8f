"""French words composed from a count, for every message people read (pages, e-mails, command summaries): in French
0 and 1 take the singular (« 0 fiche », « 1 structure lue », « 2 structures lues »). Templates have the same rule in
the `pluralize` filter (`www/templatetags/french.py`)."""


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """« 0 fiche », « 1 fiche », « 2 fiches »; `plural` when adding an « s » to every word is not the plural
    (« 2 structures lues », « 3 mises à jour »)."""
    word = singular if abs(int(count)) < 2 else (plural or singular + "s")
    return f"{count} {word}"
