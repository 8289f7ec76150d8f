"""French words in templates, loaded as a builtin (settings `TEMPLATES` → `builtins`), so every template has them:

- `pluralize` follows French: 0 and 1 take the singular (« 0 fiche », « 1 fiche », « 2 fiches »); Django's own
  filter, which it replaces, writes « 0 fiches ».
- `of_name` and `to_name` put « de » and « à » before a structure's name with the right article or elision
  (« Membres du Centre social Nord », « de l'Espace de vie sociale … », « Demande d'accès à la Maison … »).
"""

from django import template
from django.template.defaultfilters import pluralize as english_pluralize

from maillage.observatory.definitions import wording

register = template.Library()


@register.filter(is_safe=False)
def pluralize(value, arg="s"):
    """Django's `pluralize`, except that 0 (and anything below 2) takes the singular, as French does."""
    bits = (arg if "," in arg else "," + arg).split(",")
    if len(bits) > 2:
        return ""
    try:
        number = len(value) if isinstance(value, list | tuple | set | dict) else float(value)
    except (TypeError, ValueError):
        return english_pluralize(value, arg)
    return bits[0] if abs(number) < 2 else bits[1]


@register.filter
def of_name(name) -> str:
    """`Membres {{ structure.name|of_name }}` → « Membres de l'Espace de vie sociale Les Tilleuls »."""
    return wording.of_name(str(name))


@register.filter
def to_name(name) -> str:
    """`Demande d'accès {{ structure.name|to_name }}` → « Demande d'accès au Centre social Nord »."""
    return wording.to_name(str(name))
