"""The editorial text and logos a national administrator sets for a territory's plaquette
(`models.TerritoryEditorial`): logos checked by their content, never by their name, and read back as data URIs
for the PDF."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..models import AggregateScope, TerritoryEditorial

LOGO_MAX_BYTES = 300 * 1024
LOGO_MAX_SIDE = 3000  # pixels
LOGO_COUNT = 2
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def check_logo(data: bytes, label: str) -> str:
    """The MIME type of an uploaded logo; ValidationError in French naming the field (``label``) otherwise.

    Only PNG and JPEG: an SVG can carry scripts and outside references."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError(f"{label} : le fichier pèse plus de {LOGO_MAX_BYTES // 1024} Ko.", code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(f"{label} : le fichier n'est pas une image PNG ou JPEG lisible.", code="bad") from error
    if kind not in FORMATS:
        raise ValidationError(f"{label} : seules les images PNG ou JPEG sont acceptées.", code="format")
    if max(width, height) > LOGO_MAX_SIDE:
        raise ValidationError(f"{label} : l'image dépasse {LOGO_MAX_SIDE} pixels de côté.", code="too_wide")
    return FORMATS[kind]


@dataclass(frozen=True)
class Logo:
    src: str  # a data: URI
    alt: str


@dataclass(frozen=True)
class Editorial:
    text: str
    logos: list[Logo]
    version: str  # when it was last changed: part of the plaquette's version


NONE = Editorial("", [], "-")


def editorial_for(scope: str, code: str) -> Editorial:
    """The editorial of a territory (``NONE`` when nothing is set), one query."""
    code = "" if scope == AggregateScope.NATION else code
    row = TerritoryEditorial.objects.filter(scope=scope, scope_code=code).first()
    if row is None:
        return NONE
    logos = []
    for number in range(1, LOGO_COUNT + 1):
        data, kind = bytes(getattr(row, f"logo_{number}") or b""), getattr(row, f"logo_{number}_type")
        if data and kind in FORMATS.values():
            src = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
            logos.append(Logo(src, getattr(row, f"logo_{number}_alt") or "Logo d'un partenaire"))
    return Editorial(row.text.strip(), logos, row.updated_at.isoformat())


def editorial_version(scope: str, code: str) -> str:
    """When the territory's editorial last changed ("-" when none), one small query."""
    code = "" if scope == AggregateScope.NATION else code
    stamp = TerritoryEditorial.objects.filter(scope=scope, scope_code=code).values_list("updated_at", flat=True)
    found = stamp.first()
    return found.isoformat() if found else "-"
