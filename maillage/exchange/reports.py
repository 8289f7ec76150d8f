"""What an import did, for people: counts and line-numbered warnings."""

from dataclasses import dataclass, field


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

    def summary(self, noun: str = "fiches") -> str:
        prefix = "[essai, rien n'est enregistré] " if self.dry_run else ""
        return (
            f"{prefix}{self.filename} : {self.read} {noun} lues, {self.created} créées, {self.updated} mises à jour, "
            f"{self.unchanged} inchangées, {self.duplicates} doublons ignorés, {self.flagged} signalées "
            f"« doublon probable », {len(self._warnings)} avertissements"
        )
