"""Sentences the government's synthetic answers are assembled from, in French and English.

Each justification is a list of sentence groups read in order (opening, reasons, what instead,
follow-up); :func:`cli.synthetic._common.prose` takes one sentence per group and more when the
text must be longer. ``{n}`` and ``{year}`` are filled with small numbers and years.
"""

from __future__ import annotations

REJECTED = {
    "en": (
        (
            "The government has examined this recommendation with the administrations "
            "concerned and does not intend to implement it in its current form.",
            "After a detailed analysis, the government has decided not to follow this "
            "recommendation during the current legislature.",
        ),
        (
            "The estimated cost of about {n} million euros a year cannot be met within the "
            "multi-year budget trajectory agreed for {year}.",
            "An impact assessment found that the measure would mostly benefit households that "
            "already have the means to act, which runs against the social aims of the plan.",
            "The measure would require amending an ordinance that is being evaluated; changing "
            "it now would create legal uncertainty for residents and companies.",
            "Part of the measure falls under municipal powers, and the municipalities did not "
            "agree on a common approach during the consultation.",
        ),
        (
            "Instead, the government will strengthen the existing support schemes and report "
            "on their effect at the 12-month review.",
            "The government proposes an alternative measure with a comparable expected effect "
            "on emissions, which it will present to the follow-up commission.",
        ),
        (
            "The minister remains available to discuss this position with the follow-up "
            "commission.",
            "The analysis that supports this decision is published with this answer.",
        ),
    ),
    "fr": (
        (
            "Le gouvernement a examiné cette recommandation avec les administrations "
            "concernées et ne compte pas la mettre en oeuvre sous sa forme actuelle.",
            "Après une analyse détaillée, le gouvernement a décidé de ne pas suivre cette "
            "recommandation au cours de la législature.",
        ),
        (
            "Le coût estimé, environ {n} millions d'euros par an, ne peut être couvert dans la "
            "trajectoire budgétaire pluriannuelle arrêtée pour {year}.",
            "Une étude d'impact montre que la mesure profiterait surtout aux ménages qui ont "
            "déjà les moyens d'agir, ce qui va à l'encontre des objectifs sociaux du plan.",
            "La mesure exigerait de modifier une ordonnance en cours d'évaluation ; la changer "
            "maintenant créerait une insécurité juridique pour les habitants et les entreprises.",
            "Une partie de la mesure relève des communes, qui ne sont pas parvenues à un "
            "accord sur une approche commune lors de la concertation.",
        ),
        (
            "Le gouvernement renforcera plutôt les dispositifs existants et en présentera les "
            "effets lors du rendez-vous à douze mois.",
            "Le gouvernement propose une mesure alternative dont l'effet attendu sur les "
            "émissions est comparable et la présentera à la commission de suivi.",
        ),
        (
            "Le ou la ministre reste disponible pour discuter de cette position avec la "
            "commission de suivi.",
            "L'analyse sur laquelle repose cette décision est publiée avec la présente réponse.",
        ),
    ),
}

ACCEPTED_IN_PART = {
    "en": (
        (
            "The government shares the aim of this recommendation and will implement part of it.",
            "The government accepts the principle of this recommendation but not all of its terms.",
        ),
        (
            "The first phase, covering {n} pilot sites, is funded in the adjusted budget for "
            "{year}.",
            "The measure will apply first to public buildings and social housing, where the "
            "Region can act directly.",
            "The proposed deadline is moved to {year} so that the administration can recruit "
            "the staff the measure requires.",
        ),
        (
            "Extending it to the whole region at once would exceed the available budget and "
            "staff, and would overlap with a federal scheme that is being revised.",
            "The remaining part depends on a reform of the tax system that falls outside the "
            "Region's powers.",
            "An evaluation of the first phase is needed before the measure is generalised, to "
            "avoid spending public money on an approach that may not work.",
        ),
        (
            "Progress will be reported at the 12-month review.",
            "The follow-up commission will receive the evaluation of the first phase.",
        ),
    ),
    "fr": (
        (
            "Le gouvernement partage l'objectif de cette recommandation et en mettra une "
            "partie en oeuvre.",
            "Le gouvernement accepte le principe de cette recommandation, mais pas toutes ses "
            "modalités.",
        ),
        (
            "Une première phase, sur {n} sites pilotes, est financée dans le budget ajusté de "
            "{year}.",
            "La mesure s'appliquera d'abord aux bâtiments publics et aux logements sociaux, où "
            "la Région peut agir directement.",
            "L'échéance proposée est reportée à {year} afin que l'administration puisse "
            "recruter le personnel nécessaire.",
        ),
        (
            "L'étendre d'emblée à toute la région dépasserait le budget et les effectifs "
            "disponibles, et ferait double emploi avec un dispositif fédéral en révision.",
            "Le reste dépend d'une réforme fiscale qui ne relève pas des compétences de la Région.",
            "Une évaluation de la première phase est nécessaire avant de généraliser la "
            "mesure, pour ne pas engager d'argent public dans une approche non éprouvée.",
        ),
        (
            "L'état d'avancement sera présenté au rendez-vous à douze mois.",
            "La commission de suivi recevra l'évaluation de la première phase.",
        ),
    ),
}

NOTES = {
    "accepted": (
        "Accepted; the measure is included in the next update of the regional climate plan.",
        "Accepted as proposed; the administration is preparing the implementing decree.",
        "Accepted; funding is foreseen in the {year} budget.",
    ),
    "already_in_place": (
        "This measure already exists; see the attached decision and its latest activity report.",
        "Already in place since {year}; the attached document describes the scheme.",
    ),
    "under_study": (
        "An impact study has been commissioned; the government will decide by the date given.",
        "The administration is assessing cost and feasibility with {n} stakeholders before a "
        "decision.",
    ),
    "not_competent": (
        "This measure falls outside the Region's powers; the recommendation has been "
        "forwarded to the competent authority.",
        "The Region cannot decide on this matter alone and has referred it to the competent "
        "authority, asking to be informed of the outcome.",
    ),
}

PLANNED = (
    "Budget line in the {year} adjusted budget; call for projects in the autumn; first "
    "evaluation one year later.",
    "Implementing decree in preparation; the first call targets {n} neighbourhoods.",
    "Working group with the administration and {n} stakeholders; action plan before the "
    "12-month review.",
    "Public tender for the first phase; works expected to start in {year}.",
)

REFERRALS = {
    "mobility": "Federal government (FPS Mobility and Transport)",
    "finance": "Federal government (FPS Finance)",
    "employment": "Federal government (FPS Employment, Labour and Social Dialogue)",
    "climate": "Federal government (FPS Health, Food Chain Safety and Environment)",
    "environment": "French and Flemish Community Commissions (COCOF and VGC)",
    "housing": "The 19 municipalities of the Brussels-Capital Region",
}

EVIDENCE = (
    "Synthetic evidence document: no real decision is described here.\n"
    "Government of the Brussels-Capital Region (synthetic)\n"
    "Decision of {decided} on recommendation {number}\n\n"
    "The scheme described in this recommendation has been in force since {decided}. In its "
    "first year it supported {n} projects. Its activity report is published each year by the "
    "administration responsible for {portfolio}.\n"
)
