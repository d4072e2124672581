"""The phrases recommendations are built from: topics (a noun phrase in French, Dutch and
English, and the portfolio that answers for it) and measures (title and text templates with a
``{t}`` slot for the topic).

Each French topic follows "pour" or "sur" and each Dutch one "voor" or "over", so no article
ever has to be contracted.
"""

from __future__ import annotations

from dataclasses import dataclass

PORTFOLIOS = ("climate", "mobility", "housing", "finance", "environment", "employment")


@dataclass(frozen=True)
class Topic:
    """What a recommendation is about, and who in government answers for it."""

    key: str
    portfolio: str
    fr: str
    nl: str
    en: str


@dataclass(frozen=True)
class Measure:
    """A kind of measure; ``{t}`` takes a topic, ``{year}`` and ``{amount}`` take numbers."""

    key: str
    title_fr: str
    title_nl: str
    text_fr: str
    text_nl: str


TOPICS: tuple[Topic, ...] = (
    Topic("renovation", "housing",
          fr="la rénovation énergétique des logements",
          nl="de energetische renovatie van woningen",
          en="the energy renovation of homes"),
    Topic("social-housing", "housing",
          fr="l'isolation des logements sociaux",
          nl="de isolatie van sociale woningen",
          en="the insulation of social housing"),
    Topic("public-buildings", "housing",
          fr="des bâtiments publics exemplaires",
          nl="voorbeeldige overheidsgebouwen",
          en="exemplary public buildings"),
    Topic("energy-communities", "climate",
          fr="les communautés d'énergie de quartier",
          nl="energiegemeenschappen in de wijken",
          en="neighbourhood energy communities"),
    Topic("solar", "climate",
          fr="les panneaux solaires sur les toits publics",
          nl="zonnepanelen op openbare daken",
          en="solar panels on public roofs"),
    Topic("heat-pumps", "climate",
          fr="les pompes à chaleur dans les immeubles",
          nl="warmtepompen in appartementsgebouwen",
          en="heat pumps in apartment buildings"),
    Topic("cycling", "mobility",
          fr="les pistes cyclables séparées",
          nl="afgescheiden fietspaden",
          en="separated cycle lanes"),
    Topic("night-transport", "mobility",
          fr="les transports publics de nuit",
          nl="het nachtelijk openbaar vervoer",
          en="night-time public transport"),
    Topic("car-sharing", "mobility",
          fr="le partage de voitures électriques",
          nl="het delen van elektrische auto's",
          en="electric car sharing"),
    Topic("cargo-bikes", "mobility",
          fr="la livraison urbaine en vélo cargo",
          nl="stedelijke leveringen met de bakfiets",
          en="urban deliveries by cargo bike"),
    Topic("low-emission", "environment",
          fr="la zone de basses émissions",
          nl="de lage-emissiezone",
          en="the low emission zone"),
    Topic("school-food", "environment",
          fr="une alimentation durable dans les cantines scolaires",
          nl="duurzame voeding in schoolkantines",
          en="sustainable food in school canteens"),
    Topic("urban-gardens", "environment",
          fr="les potagers urbains",
          nl="stadsmoestuinen",
          en="urban vegetable gardens"),
    Topic("food-waste", "environment",
          fr="la réduction du gaspillage alimentaire",
          nl="het verminderen van voedselverspilling",
          en="reducing food waste"),
    Topic("schoolyards", "environment",
          fr="la végétalisation des cours d'école",
          nl="het vergroenen van speelplaatsen",
          en="greening schoolyards"),
    Topic("cool-islands", "environment",
          fr="des îlots de fraîcheur en été",
          nl="koele plekken in de zomer",
          en="cool spots in summer"),
    Topic("rainwater", "environment",
          fr="la gestion de l'eau de pluie",
          nl="het beheer van regenwater",
          en="rainwater management"),
    Topic("repair", "environment",
          fr="la réparation et le réemploi des objets",
          nl="het herstellen en hergebruiken van voorwerpen",
          en="the repair and reuse of objects"),
    Topic("green-jobs", "employment",
          fr="les métiers verts pour les jeunes",
          nl="groene beroepen voor jongeren",
          en="green jobs for young people"),
    Topic("climate-premiums", "finance",
          fr="les primes climat des ménages modestes",
          nl="klimaatpremies voor gezinnen met een laag inkomen",
          en="climate grants for low-income households"),
)  # fmt: skip

MEASURES: tuple[Measure, ...] = (
    Measure(
        "one-stop-shop",
        "Un guichet unique pour {t}",
        "Eén loket voor {t}",
        "La Région ouvre d'ici {year} un guichet unique, gratuit et bilingue, pour {t}. "
        "Il informe les habitants, les aide à monter leur dossier et suit chaque demande.",
        "Het Gewest opent tegen {year} één gratis en tweetalig loket voor {t}. "
        "Het informeert de inwoners, helpt hen met hun dossier en volgt elke aanvraag op.",
    ),
    Measure(
        "budget",
        "Un budget annuel garanti pour {t}",
        "Een gegarandeerd jaarlijks budget voor {t}",
        "La Région réserve chaque année au moins {amount} millions d'euros pour {t}. "
        "L'utilisation de ce budget est publiée chaque année.",
        "Het Gewest reserveert elk jaar minstens {amount} miljoen euro voor {t}. "
        "De besteding van dit budget wordt elk jaar gepubliceerd.",
    ),
    Measure(
        "pilot",
        "Un projet pilote pour {t} dans chaque commune",
        "Een proefproject voor {t} in elke gemeente",
        "Avant {year}, chaque commune lance un projet pilote pour {t}. "
        "Les résultats sont évalués avec les habitants après deux ans, puis étendus s'ils "
        "sont concluants.",
        "Tegen {year} start elke gemeente een proefproject voor {t}. "
        "De resultaten worden na twee jaar met de inwoners geëvalueerd en uitgebreid als ze "
        "overtuigen.",
    ),
    Measure(
        "target",
        "Un objectif contraignant pour {t} d'ici {year}",
        "Een bindende doelstelling voor {t} tegen {year}",
        "La Région fixe dans une ordonnance un objectif chiffré pour {t}, à atteindre d'ici "
        "{year}. Un rapport public mesure chaque année les progrès accomplis.",
        "Het Gewest legt in een ordonnantie een becijferde doelstelling vast voor {t}, te "
        "halen tegen {year}. Een openbaar verslag meet elk jaar de vooruitgang.",
    ),
    Measure(
        "campaign",
        "Une campagne d'information sur {t}",
        "Een informatiecampagne over {t}",
        "Une campagne d'information sur {t} est menée dans les langues les plus parlées de "
        "chaque quartier. Elle passe par les écoles, les associations et les maisons de "
        "quartier.",
        "Er komt een informatiecampagne over {t} in de meest gesproken talen van elke wijk. "
        "Ze loopt via scholen, verenigingen en buurthuizen.",
    ),
    Measure(
        "citizen-committee",
        "Un comité d'habitants pour {t}",
        "Een bewonerscomité voor {t}",
        "Un comité d'habitants tirés au sort suit la politique régionale pour {t}. Il est "
        "consulté avant chaque décision importante et rend un avis public.",
        "Een comité van uitgelote inwoners volgt het gewestelijke beleid voor {t}. Het wordt "
        "vóór elke belangrijke beslissing geraadpleegd en brengt een openbaar advies uit.",
    ),
    Measure(
        "social-tariff",
        "Un accès garanti aux ménages modestes pour {t}",
        "Gegarandeerde toegang voor gezinnen met een laag inkomen voor {t}",
        "Les ménages aux revenus modestes bénéficient d'un tarif réduit ou d'une avance sans "
        "intérêts pour {t}. Les conditions sont simples et vérifiées automatiquement.",
        "Gezinnen met een laag inkomen krijgen een verlaagd tarief of een renteloos voorschot "
        "voor {t}. De voorwaarden zijn eenvoudig en worden automatisch gecontroleerd.",
    ),
    Measure(
        "training",
        "Une formation gratuite sur {t}",
        "Een gratis opleiding over {t}",
        "La Région finance d'ici {year} une formation gratuite sur {t} pour les agents "
        "communaux, les associations et les habitants intéressés.",
        "Het Gewest financiert tegen {year} een gratis opleiding over {t} voor "
        "gemeentepersoneel, verenigingen en geïnteresseerde inwoners.",
    ),
)

PANEL_THEMES: tuple[dict[str, str], ...] = (
    {
        "fr": "Comment rendre ensemble les logements bruxellois économes en énergie ?",
        "nl": "Hoe maken we de Brusselse woningen samen energiezuinig?",
        "en": "How can we together make Brussels homes energy-efficient?",
    },
    {
        "fr": "Comment se déplacer à Bruxelles sans nuire au climat ?",
        "nl": "Hoe verplaatsen we ons in Brussel zonder het klimaat te schaden?",
        "en": "How can we get around Brussels without harming the climate?",
    },
    {
        "fr": "Comment nourrir Bruxelles de façon durable et accessible ?",
        "nl": "Hoe voeden we Brussel op een duurzame en betaalbare manier?",
        "en": "How can Brussels feed itself sustainably and affordably?",
    },
)
