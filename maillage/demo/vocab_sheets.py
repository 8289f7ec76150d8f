"""Word lists for invented action sheets: themes, title parts, partners and the values of short fields.

Slots between braces are filled per sheet by `maillage.demo.sheets` (see `SheetGenerator._context` there).
"""

from typing import NamedTuple


class Theme(NamedTuple):
    activity: str  # with its article, so that `de()` and `au()` can contract it
    titles: tuple[str, ...]
    keywords: tuple[str, ...]
    publics: tuple[str, ...]
    audience: str  # who takes part, with its article


def _theme(activity: str, titles: str, keywords: str, publics: str, audience: str) -> Theme:
    """A theme from ` | `-separated lists, which keeps the table below readable."""
    return Theme(activity, *(tuple(text.split(" | ")) for text in (titles, keywords, publics)), audience)


THEMES = [
    _theme(
        "l'atelier cuisine",
        "Atelier cuisine | Cuisine du monde | Recettes partagées | Les petits chefs | Table d'hôtes solidaire",
        "Culture | Mixité sociale | Santé",
        "Adultes | familles",
        "les habitants",
    ),
    _theme(
        "le café des parents",
        "Café des parents | Pause parents | Rencontres parents-école | Le temps des parents",
        "Parentalité | Famille | éducation / scolarité",
        "familles | Adultes",
        "les parents",
    ),
    _theme(
        "l'accompagnement à la scolarité",
        "Accompagnement à la scolarité | CLAS collège | Coup de pouce lecture | Aide aux devoirs | Ateliers du soir",
        "éducation / scolarité | Parentalité",
        "Enfance | Jeunesse",
        "les enfants",
    ),
    _theme(
        "le jardin partagé",
        "Jardin partagé | Les jardins du quartier | Potager collectif | Jardinons ensemble | Bacs à légumes",
        "Environnement | développement durable | Habitants",
        "Tous publics | Seniors",
        "les jardiniers",
    ),
    _theme(
        "les sorties familiales",
        "Sorties familles | Journées à la mer | Week-ends en famille | Sorties nature",
        "vacances / loisirs | Famille",
        "familles",
        "les familles",
    ),
    _theme(
        "l'atelier sociolinguistique",
        "Ateliers sociolinguistiques | Français au quotidien | Parlons français | Apprendre le français",
        "alphabétisation & apprentissage du français | Intégration",
        "Adultes",
        "les apprenants",
    ),
    _theme(
        "la fête de quartier",
        "Fête de quartier | Fête des voisins | Carnaval du quartier | Festival de rue | Repas de quartier",
        "Mixité sociale | Habitants | Culture",
        "Tous publics",
        "les habitants",
    ),
    _theme(
        "l'accueil des jeunes",
        "Espace jeunes | Accueil ados | Chantier jeunes | Projets jeunes | Soirées ados",
        "vacances / loisirs | Démocratie & citoyenneté",
        "Jeunesse",
        "les jeunes",
    ),
    _theme(
        "le repair café",
        "Repair café | Atelier réparation vélos | Recyclerie solidaire | Ressourcerie éphémère",
        "développement durable | Environnement | Solidarité",
        "Tous publics | Adultes",
        "les bénévoles bricoleurs",
    ),
    _theme(
        "l'accompagnement numérique",
        "Point numérique | Ateliers informatique | Permanence numérique | Coup de pouce numérique",
        "Intégration | Emploi, économie | Viellissement",
        "Adultes | Seniors",
        "les usagers",
    ),
    _theme(
        "les rencontres intergénérationnelles",
        "Rencontres intergénérationnelles | Goûters partagés | Mémoire du quartier | Jeux entre générations",
        "intergénérationnel | Viellissement | Mixité sociale",
        "Seniors | Enfance",
        "les aînés et les enfants",
    ),
    _theme(
        "les visites de convivialité",
        "Visites de convivialité | Club des aînés | Rompre l'isolement | Seniors en mouvement | Gym douce",
        "Viellissement | Santé | Solidarité",
        "Seniors",
        "les seniors",
    ),
    _theme(
        "le conseil des habitants",
        "Conseil des habitants | Comité d'usagers | Assemblée de quartier | Budget participatif",
        "Démocratie & citoyenneté | Habitants",
        "Adultes | Tous publics",
        "les habitants",
    ),
    _theme(
        "l'épicerie solidaire",
        "Épicerie solidaire | Paniers solidaires | Groupement d'achats | Frigo solidaire",
        "Solidarité | Emploi, économie",
        "familles | Adultes",
        "les bénéficiaires",
    ),
    _theme(
        "la ludothèque",
        "Ludothèque | Soirées jeux | Jeux en famille | Ludothèque itinérante",
        "vacances / loisirs | Parentalité | Famille",
        "familles | Enfance | Petite enfance",
        "les familles",
    ),
    _theme(
        "le lieu d'accueil enfants-parents",
        "Lieu d'accueil enfants-parents | Les petits pas | Bébés lecteurs | Éveil musical",
        "Parentalité | Famille",
        "Petite enfance | familles",
        "les parents et leurs tout-petits",
    ),
    _theme(
        "l'accueil de loisirs",
        "Accueil de loisirs | Mercredis récréatifs | Vacances apprenantes | Séjour été | Mini-camps",
        "vacances / loisirs | éducation / scolarité",
        "Enfance | Jeunesse",
        "les enfants",
    ),
    _theme(
        "le transport solidaire",
        "Transport solidaire | Auto-école sociale | Atelier vélo | Mobilité pour tous",
        "mobilité / transport | Emploi, économie | Solidarité",
        "Adultes | Seniors",
        "les personnes sans véhicule",
    ),
    _theme(
        "la permanence d'accès aux droits",
        "Accès aux droits | Point info familles | Écrivain public | Permanence administrative",
        "Intégration | Solidarité",
        "Adultes | familles",
        "les usagers",
    ),
    _theme(
        "le forum santé",
        "Forum santé | Ateliers bien-être | Sport santé | Parcours santé | Prévention bucco-dentaire",
        "Santé",
        "Tous publics | Adultes",
        "les participants",
    ),
    _theme(
        "l'atelier théâtre",
        "Atelier théâtre | Scène ouverte | Théâtre forum | Spectacle des habitants",
        "Culture | discriminations",
        "Jeunesse | Adultes",
        "les comédiens amateurs",
    ),
    _theme(
        "la semaine contre les discriminations",
        "Semaine contre les discriminations | Égalité filles-garçons | Vivre ensemble | Parcours citoyen",
        "discriminations | Démocratie & citoyenneté | Intégration",
        "Jeunesse | Tous publics",
        "les jeunes",
    ),
    _theme(
        "l'accompagnement vers l'emploi",
        "Chantier éducatif | Job dating | Atelier CV | Coup de pouce emploi | Permanence emploi",
        "Emploi, économie | Intégration",
        "Adultes | Jeunesse",
        "les demandeurs d'emploi",
    ),
    _theme(
        "le compostage collectif",
        "Quartier propre | Compostage collectif | Zéro déchet | Nettoyons la nature | Défi familles énergie",
        "Environnement | développement durable",
        "Tous publics | familles",
        "les habitants",
    ),
    _theme(
        "la bibliothèque de rue",
        "Bibliothèque de rue | Lire en bas de chez soi | Boîte à livres | Contes au jardin",
        "Culture | éducation / scolarité",
        "Enfance | familles",
        "les enfants",
    ),
    _theme(
        "l'atelier couture",
        "Atelier couture | Fil et aiguilles | Tricot-thé | Couture solidaire",
        "Mixité sociale | Solidarité | Culture",
        "Adultes | Seniors",
        "les participantes",
    ),
    _theme(
        "les sorties culturelles",
        "Sorties culturelles | Cinéma en plein air | Musées en famille | Festival des cultures",
        "Culture | vacances / loisirs",
        "Tous publics | familles",
        "les habitants",
    ),
    _theme(
        "le soutien aux projets d'habitants",
        "Fonds de participation des habitants | Projets d'habitants | Collectif d'habitants | Coups de pouce",
        "Habitants | Démocratie & citoyenneté",
        "Adultes | Tous publics",
        "les porteurs de projets",
    ),
    _theme(
        "l'accueil des nouveaux arrivants",
        "Bienvenue dans le quartier | Parrainage de familles | Café solidaire | Accueil des nouveaux arrivants",
        "Intégration | Mixité sociale",
        "Adultes | familles",
        "les nouveaux habitants",
    ),
    _theme(
        "le sport pour tous",
        "Sport pour tous | Foot en salle | Marche nordique | Futsal du vendredi | Olympiades du quartier",
        "Santé | vacances / loisirs | Mixité sociale",
        "Jeunesse | Tous publics",
        "les sportifs",
    ),
    _theme(
        "la médiation de proximité",
        "Médiation de proximité | Aller vers | Présence dans les halls | Adultes relais",
        "Habitants | Solidarité",
        "Tous publics | Jeunesse",
        "les habitants",
    ),
    _theme(
        "le café des aidants",
        "Café des aidants | Répit des aidants | Halte-répit | Temps pour soi",
        "Viellissement | Santé | Famille",
        "Adultes | Seniors",
        "les aidants",
    ),
    _theme(
        "le projet vacances",
        "Départs en vacances | Projet vacances familles | Séjour solidaire | Vacances pour tous",
        "vacances / loisirs | Famille",
        "familles | Jeunesse",
        "les familles",
    ),
    _theme(
        "la web radio",
        "Web radio | Journal du quartier | Reporters en herbe | Atelier vidéo",
        "Culture | Démocratie & citoyenneté",
        "Jeunesse | Enfance",
        "les jeunes reporters",
    ),
]

TITLE_QUALIFIERS = [
    "", "", "", "", "", " du mercredi", " du samedi", " en famille", " pour tous", " hors les murs",
    " entre voisins", " d'été", " d'hiver", " des parents", " des jeunes", " au pied des immeubles",
    " : saison 2", " : acte II", " et plus encore", " au jardin", " en itinérance", " du vendredi soir",
    " solidaire", " du soir", " au cœur du quartier", " en plein air",
]  # fmt: skip

PARTNER_PHRASES = [
    "la médiathèque", "le collège voisin", "l'école élémentaire Jules-Ferry", "la mission locale", "la PMI",
    "le CCAS", "le bailleur social", "la maison de quartier", "le club de prévention", "la ludothèque municipale",
    "le conservatoire", "l'épicerie sociale", "la maison départementale des solidarités", "le conseil citoyen",
    "l'association des locataires", "le centre de loisirs", "la maison de retraite voisine", "le lycée professionnel",
    "l'office de tourisme", "la recyclerie", "le Secours populaire", "les Restos du cœur", "la compagnie de théâtre",
    "le club de football", "l'Ehpad du quartier", "la maison de santé", "le relais petite enfance",
]  # fmt: skip
MOMENTS = [
    "le mercredi après-midi", "le samedi matin", "chaque mardi soir", "pendant les vacances scolaires",
    "une fois par mois", "tous les quinze jours", "le jeudi matin", "le vendredi en fin de journée",
    "pendant l'été", "chaque lundi", "le dimanche après-midi",
]  # fmt: skip
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip

FILE_NAMES = [
    "bilan-{year}.pdf", "affiche.jpg", "Compte rendu comité de pilotage.docx", "flyer_{slug}.pdf",
    "photos-{slug}.zip", "budget prévisionnel {year}.xlsx", "programme.pdf", "questionnaire satisfaction.pdf",
    "Bilan qualitatif {year}.odt", "revue de presse.pdf",
]  # fmt: skip

FINANCIAL = [
    "{total} euros",
    "{total} €",
    "environ {total}/{total_high}",
    "Budget prévisionnel : {total} € dont {caf} € de la Caf",
    "Prestation de service Caf et subvention de la commune ({town} €)",
    "Cette action n'a pas nécessité de moyens financiers.",
    "Fonds propres du centre social",
    "Politique de la Ville\nREAAP",
    "Contrat de ville : {town} €\nCaf (fonds publics et territoires) : {caf} €\nParticipation des familles : {fees} €",
    "En cours de formalisation avec les partenaires",
    "Intervenants : {town} €\nPetit matériel : {fees} €\nTransport : {caf} €\nTotal : {total} €",
    "Pas de budget spécifique, l'action s'appuie sur le temps de travail des animateurs",
    "{total} € (dont valorisation du bénévolat)",
]
PEOPLE = [
    "{pros} professionnels",
    "{volunteers} bénévoles et {pros} professionnels",
    "{etp} ETP",
    "une dizaine de personnes à l'année dont 2-3 bénévoles",
    "1 animatrice, 1 référente familles et {volunteers} bénévoles",
    "{pros} salariés, {volunteers} bénévoles, {reached} participants sur l'année",
    "Coordinatrice enfance famille\nAnimateurs du secteur jeunes\n{volunteers} bénévoles",
    "{volunteers} bénévoles",
    "L'équipe du centre social et {volunteers} habitants bénévoles",
    "1 CESF\n1 animateur\n{volunteers} bénévoles",
]

END_REASONS = [
    "Fin du financement de la Politique de la Ville.",
    "L'action a pris fin avec le départ de l'animatrice référente.",
    "Action terminée pour l'année {year}, mais reconduite sous une autre forme.",
    "Les objectifs fixés ont été atteints.",
    "Manque de participants à partir du mois de {month}.",
    "Les rencontres ont dû être suspendues pendant la crise sanitaire et n'ont pas repris.",
    "Le partenaire principal s'est retiré du projet.",
    "Local indisponible pendant les travaux de rénovation urbaine.",
    "Action ponctuelle, prévue sur une seule année.",
    "- Le groupe d'habitants porte désormais l'action en autonomie\n- Le centre social reste en appui si besoin",
    "Le projet a été repris par {part}.",
]
INITIATIVE_DETAILS = [
    "Le conseil citoyen du quartier",
    "Une demande de l'école élémentaire",
    "Le collectif des associations du quartier",
    "La mairie annexe, à la suite d'une réunion publique",
    "Les bénévoles de l'aide aux devoirs",
    "La Caf, dans le cadre du schéma départemental des services aux familles",
    "Un travail commun avec {part}",
    "Les jeunes de l'espace ados",
]
