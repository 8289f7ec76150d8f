"""Sentences of the free-text fields of invented action sheets.

Slots: `act`/`Act`/`de_act`/`au_act` (the activity), `pub`/`de_pub`/`au_pub` (who takes part), `de_q` (the
neighbourhood), `commune`/`de_commune`, `cs`/`Cs`/`de_cs`/`au_cs` (the structure), `part`/`part2` (partners),
`moment`, `month`, `year`, `next`, `prev`, `n`, `reached`, `volunteers`, `pros`.
"""

SUMMARY = [
    "Proposer {act} {moment} pour {pub} du quartier {de_q}.",
    "{Act} permet {au_pub} de se retrouver dans un cadre convivial et de partager leurs savoir-faire.",
    "Créer un espace de rencontre et d'échange entre habitants autour {de_act}.",
    "Rompre l'isolement et favoriser le lien social grâce {au_act}.",
    "Mettre à disposition un lieu et un adulte référent qui écoute, conseille et accompagne {pub}.",
    "Action menée avec {part} depuis {prev}, à la demande des habitants.",
    "Valoriser les compétences {de_pub} et les rendre acteurs du projet.",
    "Faciliter l'accès de tous aux loisirs, à la culture et aux droits.",
    "Soutenir {pub} dans leurs démarches et leurs projets, sans jugement et dans la durée.",
    "Permettre aux habitants {de_commune} de découvrir de nouvelles pratiques et de les partager.",
    "Renforcer les liens entre {cs} et les familles du territoire.",
    "Une action simple et régulière qui touche chaque année près de {reached} personnes.",
    "Informer et communiquer sur les actions {de_cs} et ses missions.",
    "Stimuler la participation des habitants à la vie du quartier.",
    "Encourager l'entraide et la solidarité de voisinage.",
]
EXPERIENCE = [
    "Cette action est née d'un constat partagé avec {part} : de nombreux habitants ne sortent plus de chez eux.",
    "Lors du renouvellement du projet social en {prev}, les habitants ont exprimé le besoin d'un temps pour "
    "se retrouver.",
    "Les premières séances ont réuni {n} personnes ; le groupe s'est ensuite étoffé grâce au bouche-à-oreille.",
    "Un comité de pilotage réunit {cs}, {part} et des habitants volontaires trois fois par an.",
    "L'animatrice référente prépare chaque séance avec un petit groupe de volontaires.",
    "Les participants choisissent eux-mêmes les thèmes et les sorties de l'année.",
    "Nous avons commencé par une enquête de porte-à-porte dans le quartier {de_q} pour recueillir les envies.",
    "La première phase a consisté à mobiliser les partenaires et à trouver un local adapté.",
    "Dans un deuxième temps, les habitants ont pris en charge l'organisation avec l'appui des professionnels.",
    "Un bilan est réalisé chaque année en {month} avec l'ensemble des participants.",
    "L'action s'inscrit dans l'axe « vivre ensemble » de notre projet social.",
    "Elle s'appuie sur l'expérience acquise depuis plusieurs années avec {part}.",
    "Les bénévoles ont suivi une formation à l'accueil et à l'écoute avant le démarrage.",
    "Les objectifs sont de créer du lien, de valoriser les savoirs de chacun et de rendre les habitants acteurs.",
    "Les familles les plus éloignées ont été contactées directement par les travailleurs sociaux.",
    "La communication passe par des affiches, les réseaux sociaux et surtout le bouche-à-oreille.",
    "Nous constatons qu'il est essentiel d'établir une relation basée sur l'écoute et la reconnaissance.",
    "Ce sentiment de ne pas être entendu crée souvent de la méfiance envers les institutions.",
]
DESCRIPTION = [
    "L'action se déroule {moment} dans les locaux {de_cs}.",
    "Chaque séance dure environ deux heures et accueille jusqu'à {n} participants.",
    "Un goûter partagé clôt chaque rencontre.",
    "Les inscriptions se font à l'accueil {de_cs}, avec une participation modeste selon le quotient familial.",
    "Une sortie est organisée en fin d'année avec {part}.",
    "Le matériel est prêté par {part2}.",
    "Les séances sont animées par un professionnel, accompagné de {volunteers} bénévoles.",
    "Les temps forts de l'année sont présentés lors de la fête {de_cs} en juin.",
    "L'action est ouverte à tous, sans condition de ressources.",
    "Les participants sont associés au choix des activités et à l'évaluation.",
    "Une charte de fonctionnement a été rédigée avec le groupe.",
    "Un transport est proposé aux personnes qui ne peuvent pas se déplacer seules.",
    "Partenaires : ville {de_commune}, Caf, écoles, équipe {de_cs} et collectif d'habitants.",
]
STEP_HEADERS = [
    "Le projet s'organise de la façon suivante :",
    "Les objectifs sont les suivants :",
    "Déroulement :",
    "OBJECTIFS GENERAUX :",
    "Pour acter notre volonté de collaboration, le groupe de travail s'est engagé sur plusieurs axes :",
    "Les différentes phases :",
]
STEPS = [
    "- Une réunion de lancement avec {part} en {month}.",
    "- Des séances hebdomadaires {moment}.",
    "- Un stage de trois jours pendant les vacances de printemps.",
    "- Une rencontre avec un artiste en résidence.",
    "- Une restitution ouverte aux familles et aux partenaires.",
    "- Un séjour préparé avec les participants pendant l'été.",
    "- Un bilan intermédiaire avec les familles en {month}.",
    "- Recueillir la parole des habitants sur leurs besoins.",
    "- Favoriser la rencontre entre les générations.",
    "- Valoriser les savoir-faire {de_pub}.",
    "- Renforcer le partenariat avec {part2}.",
    "- Mobiliser de nouvelles familles, notamment les plus isolées.",
    "- Concrétiser une première réalisation commune d'ici la fin de l'année.",
    "- Présenter la démarche aux élus et aux bailleurs.",
]
RESULT_TERRITORY = [
    "Une meilleure connaissance entre les acteurs du territoire.",
    "Le quartier {de_q} est davantage animé, notamment {moment}.",
    "L'action a renforcé le partenariat entre {cs}, {part} et les associations locales.",
    "Des habitants qui ne se connaissaient pas se saluent désormais dans la rue.",
    "L'image du quartier a évolué positivement auprès des habitants {de_commune}.",
    "Plus de {reached} personnes touchées sur l'année.",
    "Les incivilités ont diminué aux abords de l'espace public investi par le projet.",
    "Un réseau d'entraide s'est constitué entre voisins.",
]
RESULT_CENTRE = [
    "{Cs} est mieux identifié comme un lieu ressource pour les familles.",
    "De nouveaux bénévoles ont rejoint l'association.",
    "L'action a permis de toucher un public qui ne fréquentait pas {cs}.",
    "Le partenariat avec {part} s'est renforcé.",
    "L'équipe a développé de nouvelles compétences dans l'animation de groupes.",
    "Deux participants sont entrés au conseil d'administration.",
    "Le projet a été présenté au comité de pilotage de la Caf comme une action exemplaire.",
    "Ce projet facilite le partenariat du territoire : collèges, lycées, associations culturelles de proximité.",
]
RESULT_INHABITANTS = [
    "Les participants ont gagné en confiance et prennent davantage la parole.",
    "Des liens d'amitié se sont créés entre les participants.",
    "Les familles sortent davantage du quartier et découvrent de nouveaux lieux.",
    "Certains participants ont repris une formation ou trouvé un emploi.",
    "Les parents se sentent plus à l'aise dans leurs échanges avec l'école.",
    "Les personnes âgées se sentent moins seules.",
    "Les jeunes se sont impliqués dans l'organisation et en sont fiers.",
    "Nombre de parents qui échangent avec l'équipe\nNombre d'actions qui découlent de ces échanges",
    "Découverte de pratiques nouvelles et envie de continuer.",
]
LIMITS = [
    "La mobilisation des hommes reste difficile.",
    "Le local est trop petit pour accueillir tous les inscrits.",
    "Le financement n'est assuré que pour un an.",
    "La participation baisse pendant les périodes de fêtes et les vacances.",
    "Il est difficile de toucher les familles les plus isolées.",
    "Le départ de l'animatrice a fragilisé le groupe.",
    "Les horaires ne conviennent pas aux personnes qui travaillent.",
    "La barrière de la langue freine la participation de certains habitants.",
    "Manque de bénévoles pour encadrer les sorties.",
]
PERSPECTIVES = [
    "Reconduire l'action en {next} en l'ouvrant à d'autres quartiers.",
    "Associer davantage les habitants au pilotage du projet.",
    "Développer un partenariat avec {part2}.",
    "Rechercher de nouveaux financements pour pérenniser l'action.",
    "Former les bénévoles pour qu'ils puissent animer certaines séances.",
    "Créer un temps de restitution ouvert à tous en fin d'année.",
    "Cette action pourra se développer avec de nouveaux partenaires culturels.",
    "Étendre l'action aux communes voisines.",
    "Proposer un second créneau {moment}.",
]
