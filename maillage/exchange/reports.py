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
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def warn(self, line: int | None, message: str) -> None:
        where = f"{self.filename}:{line}" if line else self.filename
        self.warnings.append(f"{where}: {message}")

    def summary(self, noun: str = "fiches") -> str:
        prefix = "[essai, rien n'est enregistré] " if self.dry_run else ""
        return (
            f"{prefix}{self.filename} : {self.read} {noun} lues, {self.created} créées, {self.updated} mises à jour, "
            f"{self.unchanged} inchangées, {self.duplicates} doublons ignorés, {self.flagged} signalées "
            f"« doublon probable », {len(self.warnings)} avertissements"
        )
