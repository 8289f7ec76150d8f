from django.core.management.base import BaseCommand, CommandError

from maillage.french import count_noun
from maillage.observatory.definitions.builder import check_definition


class Command(BaseCommand):
    help = (
        "Vérifie un ou plusieurs fichiers de questionnaire (YAML) : affiche les sections et le nombre de "
        "questions, ou chaque erreur avec son fichier et sa ligne."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER", help="fichier de questionnaire (.yaml)")

    def handle(self, *args, **options):
        failed = 0
        for path in options["files"]:
            questionnaire, errors = check_definition(path)
            if errors:
                failed += 1
                self.stderr.write(f"{path} : {count_noun(len(errors), 'erreur')}")
                for error in errors:
                    self.stderr.write(f"  {error}")
                continue
            rules = len(questionnaire.rules)
            self.stdout.write(
                f"{path} : {questionnaire.code} version {questionnaire.version} ({questionnaire.kind}), "
                f"{count_noun(len(questionnaire), 'question')}, {count_noun(rules, 'règle')}"
            )
            for section in questionnaire.sections:
                questions = count_noun(len(section.questions), "question")
                self.stdout.write(f"  {section.code} — {section.title} : {questions}")
        if failed:
            invalid = count_noun(failed, "fichier invalide", "fichiers invalides")
            raise CommandError(f"{invalid} sur {len(options['files'])}")
