"""A published sheet as a tagged PDF (WeasyPrint, PDF/UA-1), laid out by the sheet's print stylesheet.

WeasyPrint is imported lazily (its system libraries are needed only here). It reads nothing but the print
stylesheet and the sheet's stored images: any other address in the document is refused, not fetched.
"""

from pathlib import Path
from urllib.parse import unquote

from django.conf import settings

PRINT_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "print.css"


def sheet_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    media = Path(settings.MEDIA_ROOT).resolve()

    class StoredFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = Path(unquote(url.removeprefix("file://"))).resolve()
            if url.startswith("file://") and (path.is_relative_to(media) or path == PRINT_CSS):
                return super().fetch(url, headers)
            raise ValueError(f"adresse refusée dans le PDF d'une fiche : {url[:100]}")

    document = HTML(string=html, url_fetcher=StoredFilesOnly(allowed_protocols=("file",)))
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS))], pdf_variant="pdf/ua-1")
