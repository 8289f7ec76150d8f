"""Word lists for invented structures: places, names, addresses, project axes and histories.

Names are plausible, not real: any likeness to an existing centre is a coincidence of common words.
"""

# Chef-lieu of each department, by INSEE code: some structures are there, the others in invented communes.
PREFECTURES = {
    "01": "Bourg-en-Bresse", "02": "Laon", "03": "Moulins", "04": "Digne-les-Bains", "05": "Gap",
    "06": "Nice", "07": "Privas", "08": "Charleville-Mézières", "09": "Foix", "10": "Troyes",
    "11": "Carcassonne", "12": "Rodez", "13": "Marseille", "14": "Caen", "15": "Aurillac",
    "16": "Angoulême", "17": "La Rochelle", "18": "Bourges", "19": "Tulle", "2A": "Ajaccio",
    "2B": "Bastia", "21": "Dijon", "22": "Saint-Brieuc", "23": "Guéret", "24": "Périgueux",
    "25": "Besançon", "26": "Valence", "27": "Évreux", "28": "Chartres", "29": "Quimper",
    "30": "Nîmes", "31": "Toulouse", "32": "Auch", "33": "Bordeaux", "34": "Montpellier",
    "35": "Rennes", "36": "Châteauroux", "37": "Tours", "38": "Grenoble", "39": "Lons-le-Saunier",
    "40": "Mont-de-Marsan", "41": "Blois", "42": "Saint-Étienne", "43": "Le Puy-en-Velay", "44": "Nantes",
    "45": "Orléans", "46": "Cahors", "47": "Agen", "48": "Mende", "49": "Angers",
    "50": "Saint-Lô", "51": "Châlons-en-Champagne", "52": "Chaumont", "53": "Laval", "54": "Nancy",
    "55": "Bar-le-Duc", "56": "Vannes", "57": "Metz", "58": "Nevers", "59": "Lille",
    "60": "Beauvais", "61": "Alençon", "62": "Arras", "63": "Clermont-Ferrand", "64": "Pau",
    "65": "Tarbes", "66": "Perpignan", "67": "Strasbourg", "68": "Colmar", "69": "Lyon",
    "70": "Vesoul", "71": "Mâcon", "72": "Le Mans", "73": "Chambéry", "74": "Annecy",
    "75": "Paris", "76": "Rouen", "77": "Melun", "78": "Versailles", "79": "Niort",
    "80": "Amiens", "81": "Albi", "82": "Montauban", "83": "Toulon", "84": "Avignon",
    "85": "La Roche-sur-Yon", "86": "Poitiers", "87": "Limoges", "88": "Épinal", "89": "Auxerre",
    "90": "Belfort", "91": "Évry-Courcouronnes", "92": "Nanterre", "93": "Bobigny", "94": "Créteil",
    "95": "Cergy", "971": "Basse-Terre", "972": "Fort-de-France", "973": "Cayenne", "974": "Saint-Denis",
    "976": "Mamoudzou",
}  # fmt: skip

# Departments with many centres weigh more (the others weigh 1).
DEPARTMENT_WEIGHTS = {
    "13": 6, "59": 7, "69": 5, "75": 4, "93": 4, "62": 4, "33": 3, "31": 3, "44": 3, "38": 3,
    "67": 3, "57": 3, "76": 3, "34": 3, "92": 2, "94": 2, "95": 2, "91": 2, "78": 2, "77": 2,
    "06": 2, "83": 2, "35": 2, "42": 2, "63": 2, "974": 2, "54": 2, "80": 2, "60": 2, "02": 2,
}  # fmt: skip

COMMUNE_BASES = [
    "Beaumont", "Villeneuve", "Montigny", "Fontenay", "Neuville", "Saint-Martin", "Saint-Julien",
    "Saint-Pierre", "Sainte-Marie", "Châteauneuf", "Montfort", "Villefranche", "Rochefort", "Bellegarde",
    "La Chapelle", "Le Plessis", "Les Essarts", "Bourgneuf", "Champigny", "Saint-Laurent", "Saint-Germain",
    "Sainte-Croix", "Mareuil", "Vernon", "Chaumont", "Clairvaux", "Montreuil", "Givry", "Saint-Aubin",
    "Saint-Vincent", "Ferrières", "Pontcharra", "Val-Fleuri", "Bois-Colombe", "Lavaur", "Mirebeau",
    "Saint-Hilaire", "Rougemont", "Blanzy", "Plouzané", "Sainte-Anne", "Morne-Rouge", "Saint-Joseph",
]  # fmt: skip
COMMUNE_SUFFIXES = [
    "", "", "", "", "-le-Château", "-les-Bois", "-la-Forêt", "-en-Val", "-du-Lac", "-la-Vallée",
    "-des-Prés", "-le-Haut", "-sur-Loue", "-la-Rivière", "-les-Vignes", "-en-Plaine",
]  # fmt: skip

STREET_TYPES = ["rue", "rue", "rue", "avenue", "place", "allée", "boulevard", "chemin", "impasse", "square", "cours"]
STREET_NAMES = [
    "des Lilas", "Jean-Jaurès", "Victor-Hugo", "de la République", "du Général-de-Gaulle", "Pasteur",
    "des Écoles", "de la Gare", "du Stade", "des Tilleuls", "Jules-Ferry", "Gambetta", "de la Mairie",
    "du Moulin", "des Peupliers", "Paul-Vaillant-Couturier", "Marcel-Pagnol", "du 8-Mai-1945",
    "du 19-Mars-1962", "Émile-Zola", "Aristide-Briand", "de la Liberté", "des Rosiers", "Saint-Exupéry",
    "Pierre-Brossolette", "Jean-Moulin", "Anatole-France", "Roger-Salengro", "Léon-Blum", "des Acacias",
    "de la Fontaine", "des Vergers", "du Château-d'Eau", "Frédéric-Mistral", "des Cerisiers", "du Marché",
    "Lucie-Aubrac", "Simone-Veil", "Louise-Michel", "de l'Église", "du Lavoir", "des Jardins",
]  # fmt: skip

# Names of neighbourhoods and structures, with their article so that `de()` can contract them.
PLACE_NAMES = [
    "les Quatre Vents", "la Passerelle", "l'Agora", "les Tilleuls", "la Source", "le Phare", "l'Escale",
    "la Maison Bleue", "les Amandiers", "le Grand Pré", "la Ruche", "l'Étoile", "les Salines", "la Marelle",
    "le Moulin", "les Acacias", "le Trait d'Union", "la Boussole", "l'Archipel", "les Sablons", "la Roseraie",
    "le Colombier", "la Fontaine", "les Chênes", "la Clairière", "l'Olivier", "le Mistral", "la Pépinière",
    "les Glycines", "le Tremplin", "la Farandole", "les Coquelicots", "le Lien", "les Marronniers",
    "la Courte Échelle", "les Hauts de Plaine", "le Vieux Bourg", "la Croix-Rouge", "les Peupliers",
    "le Val Fourré", "la Pointe", "les Bruyères", "le Champ de Foire", "la Butte", "les Genêts", "l'Hermitage",
    "le Petit Bois", "la Cité Jardin", "les Érables", "le Pont Neuf", "la Sarrazine", "les Cèdres",
    "le Bocage", "la Grande Borne", "les Mimosas", "l'Orée du Bois", "le Parc", "la Gabelle", "les Lavandières",
    "Bellevue", "Beausoleil", "Montplaisir", "Belle-Île", "Mermoz", "Champ-Fleuri", "Bel-Air", "Malakoff",
]  # fmt: skip
PERSON_NAMES = [
    "Jean-Macé", "Pablo-Neruda", "Nelson-Mandela", "Louise-Michel", "Simone-Veil", "Jacques-Prévert",
    "Victor-Hugo", "George-Sand", "Aimé-Césaire", "Lucie-Aubrac", "Paul-Éluard", "Jules-Verne",
    "Olympe-de-Gouges", "Germaine-Tillion", "Rosa-Parks", "Françoise-Dolto", "Marie-Curie", "Albert-Camus",
    "Joséphine-Baker", "Léo-Lagrange", "Gisèle-Halimi", "Missak-Manouchian", "Colette-Besson", "Boris-Vian",
]  # fmt: skip

# Name patterns: `{place}` is a place name as is, `{de_place}` contracted, `{person}`, `{commune}`, `{de_commune}`.
CSX_NAME_PATTERNS = [
    ("Centre social {de_place}", 8),
    ("Centre social {place_cap}", 4),
    ("Centre social {person}", 3),
    ("Centre social et culturel {de_place}", 2),
    ("Centre socioculturel {place_cap}", 2),
    ("Maison pour tous {de_place}", 3),
    ("Maison pour tous {person}", 1),
    ("Maison des habitants {de_place}", 2),
    ("Centre social municipal {de_commune}", 1),
    ("Centre social intercommunal {de_place}", 1),
    ("CS {place_cap}", 2),
    ("CENTRE SOCIAL {place_upper}", 1),
]
EVS_NAME_PATTERNS = [
    ("Espace de vie sociale {place_cap}", 6),
    ("Espace de vie sociale {de_place}", 3),
    ("EVS {place_cap}", 3),
    ("Espace de vie sociale {de_commune}", 1),
    ("Foyer rural {de_commune}", 1),
    ("Association {place_cap}", 1),
    ("Café associatif {place_cap}", 1),
]

OTHER_FEDERATIONS = [
    "Familles rurales", "Fédération Léo Lagrange", "Ligue de l'enseignement", "UFCV",
    "Fédération des MJC", "Fédération nationale des foyers ruraux", "ACEPP", "Familles de France",
]  # fmt: skip
EMAIL_BOXES = ["contact", "contact", "accueil", "direction", "secretariat", "info"]

AXES = [
    "Favoriser la participation des habitants à la vie du quartier",
    "Soutenir les familles dans leur rôle de parents",
    "Lutter contre l'isolement des personnes âgées",
    "Accompagner les jeunes vers l'autonomie",
    "Développer le lien social et les solidarités de voisinage",
    "Faciliter l'accès aux droits et aux services",
    "Agir pour la réussite éducative des enfants",
    "Promouvoir la mixité sociale et le vivre ensemble",
    "Encourager les initiatives d'habitants",
    "Favoriser l'accès à la culture et aux loisirs pour tous",
    "Accompagner les transitions écologiques au quotidien",
    "Lutter contre la fracture numérique",
    "Renforcer la place des bénévoles dans la gouvernance",
    "Être un lieu d'accueil, d'écoute et d'orientation",
    "Soutenir l'insertion sociale et professionnelle",
    "Développer les partenariats sur le territoire",
    "Favoriser l'apprentissage du français",
    "Prévenir les situations d'exclusion",
    "Promouvoir la santé et le bien-être",
    "Valoriser la mémoire et l'histoire du quartier",
    "Développer les départs en vacances des familles",
    "Rendre les habitants acteurs de leur territoire",
    "Accompagner la parentalité dès la petite enfance",
    "Lutter contre les discriminations",
    "Créer des passerelles entre les générations",
    "Aller vers les habitants les plus éloignés",
]

HISTORY_SENTENCES = [
    "La structure est née en {created} à l'initiative d'un collectif d'habitants {de_place}.",
    "L'association a été créée en {created} par des familles du quartier, avec le soutien de la commune.",
    "Premier agrément de la Caf en {approved}, renouvelé depuis tous les quatre ans.",
    "En {moved}, la structure s'est installée dans de nouveaux locaux, plus accessibles aux familles.",
    "Le projet social a été entièrement réécrit en {moved} avec les habitants et les partenaires.",
    "Depuis {moved}, un espace jeunes complète l'accueil des familles.",
    "La structure a longtemps fonctionné sans salarié, grâce à l'engagement de ses bénévoles.",
    "Elle gère aussi un accueil de loisirs et un lieu d'accueil enfants-parents.",
    "Le conseil d'administration compte une majorité d'habitants du territoire.",
    "La rénovation urbaine du quartier a profondément transformé l'activité de la structure.",
]
