"""What an import did, for people: counts and line-numbered warnings."""

from dataclasses import dataclass, field

from maillage.french import count_noun


@dataclass
class ImportReport:
    filename: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    flagged: int = 0
    dry_run: bool = False
    # (line, order of arrival, text): loaders find some problems after reading further in the file.
    _warnings: list[tuple[int, int, str]] = field(default_factory=list)

    def warn(self, line: int | None, message: str) -> None:
        where = f"{self.filename}:{line}" if line else self.filename
        self._warnings.append((line or 0, len(self._warnings), f"{where}: {message}"))

    @property
    def warnings(self) -> list[str]:
        """`file:line: message`, in the order of the lines of the file."""
        return [text for _, _, text in sorted(self._warnings)]

    def summary(self, noun: str = "fiche") -> str:
        """« 1 structure lue, 1 créée, 0 mise à jour… »: `noun` in the singular, feminine as those imported are."""
        prefix = "[essai, rien n'est enregistré] " if self.dry_run else ""
        counts = (
            count_noun(self.read, f"{noun} lue", f"{noun}s lues"),
            count_noun(self.created, "créée"),
            count_noun(self.updated, "mise à jour", "mises à jour"),
            count_noun(self.unchanged, "inchangée"),
            count_noun(self.duplicates, "doublon ignoré", "doublons ignorés"),
            count_noun(self.flagged, "signalée « doublon probable »", "signalées « doublon probable »"),
            count_noun(len(self._warnings), "avertissement"),
        )
        return f"{prefix}{self.filename} : {', '.join(counts)}"
