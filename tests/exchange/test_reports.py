from maillage.exchange.reports import ImportReport


def test_warnings_are_given_in_the_order_of_the_file():
    report = ImportReport(filename="annuaire.txt")
    report.warn(78, "SIRET invalide")
    report.warn(70, "type deviné")
    report.warn(None, "fichier entier")
    report.warn(70, "second avertissement de la ligne 70")
    assert report.warnings == [
        "annuaire.txt: fichier entier",
        "annuaire.txt:70: type deviné",
        "annuaire.txt:70: second avertissement de la ligne 70",
        "annuaire.txt:78: SIRET invalide",
    ]
    assert report.summary().endswith("4 avertissements")
