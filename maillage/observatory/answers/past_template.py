"""The file to fill in for an import of past answers (`past_import`), built from the campaign's questionnaires: the
columns `id`, `siret` and `nom`, then one column per question code in questionnaire order, a grid giving one
column per cell (`CODE.ligne.colonne`) — the columns of the answers export (`checks.answer_export`), which reads
back as it is. The workbook adds a sheet « Questions »: each column's section, question, type, unit and choices."""

from maillage.exchange.table_templates import TableTemplate

from ..checks.answer_export import QUESTIONS_HEADER, QUESTIONS_WIDTHS, answer_columns
from ..models import Campaign
from .past_table import ID_COLUMN, SIRET_COLUMN

NAME_COLUMN = "nom"
# The first columns, explained in the « Questions » sheet as the questions are (its columns: QUESTIONS_HEADER).
LEAD_NOTES = (
    (ID_COLUMN, "Structure", "Identifiant de la structure dans Maillage (exports de l'annuaire et des réponses) ; "
     "vide si la colonne siret identifie la structure", "Nombre entier", "", "", ""),
    (SIRET_COLUMN, "Structure", "Numéro SIRET de la structure (14 chiffres, espaces permis), si la colonne id est "
     "vide", "Texte", "", "", ""),
    (NAME_COLUMN, "Structure", "Nom de la structure, pour vous repérer : il n'est pas lu", "Texte", "", "", ""),
)  # fmt: skip


def past_template(campaign: Campaign) -> TableTemplate:
    """The header of the campaign's table (no example row: an invented structure would be an error) and the
    description of its columns."""
    by_kind = {questionnaire.kind: questionnaire.definition() for questionnaire in campaign.questionnaires.all()}
    columns = answer_columns(by_kind)
    notes = [(c.header, c.section, c.label, c.type_label, c.unit, c.choices, c.kinds) for c in columns]
    return TableTemplate(
        sheet="Réponses",
        header=[ID_COLUMN, SIRET_COLUMN, NAME_COLUMN, *(column.header for column in columns)],
        notes_sheet="Questions",
        notes_header=QUESTIONS_HEADER,
        notes=[*LEAD_NOTES, *notes],
        notes_widths=QUESTIONS_WIDTHS,
    )
