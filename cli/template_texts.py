"""The ``instructions`` sheet of a template, in French, Dutch and English: how to fill the rows,
how to save the file, and the command that imports it."""

from __future__ import annotations

from collections.abc import Sequence

# The command that imports a filled template of each kind, run by the office that signs it.
IMPORTS = {
    "answers": "assembly respond --csv FILE.xlsx --key government.key --dry-run",
}
# Each kind's rows, as the instructions name them in each language.
WHAT = {
    "answers": {
        "fr": "les réponses du gouvernement, une ligne par recommandation et par revue",
        "nl": "de antwoorden van de regering, één rij per aanbeveling en per evaluatie",
        "en": "the government's answers, one row per recommendation and review",
    },
}


def instructions(kind: str, *, panel: int) -> list[tuple[str, Sequence[str]]]:
    """The blocks of the instructions sheet (heading, lines), French, Dutch, then English."""
    command = IMPORTS[kind]
    real = command.replace(" --dry-run", "")
    what = WHAT[kind]
    return [
        (
            f"Français — modèle « {kind} », panel {panel}",
            [
                f"Ce classeur sert à saisir {what['fr']}.",
                f"Remplissez la feuille « {kind} » : une ligne par élément. Les cellules grises "
                "viennent du registre : ne les changez pas. La note de la première cellule et "
                "la feuille « titles » donnent le titre de chaque recommandation.",
                "Choisissez les valeurs dans les listes déroulantes ; la feuille « rules » dit "
                "ce que chaque colonne attend (longueur minimale de la justification, date de "
                "décision, etc.). Dates : 2027-06-30 ou 30/06/2027 (aussi 30-06-2027, "
                "30.06.2027).",
                "Supprimez les lignes auxquelles vous ne répondez pas maintenant ; ne changez "
                "pas les en-têtes (en anglais ; les noms français et néerlandais sont "
                "acceptés aussi).",
                "Enregistrez au format .xlsx, ou en « CSV UTF-8 (délimité par des virgules) » "
                "pour la première feuille seule.",
                f"Essayez d'abord sans rien écrire : {command}",
                f"Puis importez : {real}. Toute ligne erronée est signalée avec sa ligne et sa "
                "colonne, et rien n'est écrit tant qu'il en reste une.",
            ],
        ),
        (
            f"Nederlands — sjabloon '{kind}', panel {panel}",
            [
                f"Deze werkmap dient om {what['nl']} in te vullen.",
                f"Vul het blad '{kind}' in: één rij per element. De grijze cellen komen uit "
                "het register: verander ze niet. De notitie bij de eerste cel en het blad "
                "'titles' geven de titel van elke aanbeveling.",
                "Kies de waarden in de keuzelijsten; het blad 'rules' zegt wat elke kolom "
                "verwacht (minimale lengte van de motivering, beslissingsdatum, enz.). "
                "Datums: 2027-06-30 of 30/06/2027 (ook 30-06-2027, 30.06.2027).",
                "Verwijder de rijen die u nu niet beantwoordt; verander de kolomkoppen niet "
                "(in het Engels; Franse en Nederlandse namen worden ook aanvaard).",
                "Sla op als .xlsx, of als 'CSV UTF-8 (door komma's gescheiden)' voor het eerste "
                "blad alleen.",
                f"Probeer eerst zonder iets te schrijven: {command}",
                f"Importeer daarna: {real}. Elke foute rij wordt gemeld met haar rij en kolom, "
                "en niets wordt geschreven zolang er een overblijft.",
            ],
        ),
        (
            f"English — template '{kind}', panel {panel}",
            [
                f"This workbook is for entering {what['en']}.",
                f"Fill in the sheet '{kind}': one row per item. Grey cells come from the "
                "ledger: leave them as they are. The note on the first cell and the sheet "
                "'titles' give each recommendation's title.",
                "Choose values from the drop-down lists; the sheet 'rules' says what each "
                "column expects (minimum length of a justification, decision date, and so on). "
                "Dates: 2027-06-30 or 30/06/2027 (also 30-06-2027, 30.06.2027).",
                "Delete the rows you do not answer now; keep the headers (in English; French "
                "and Dutch names are accepted too).",
                "Save as .xlsx, or as 'CSV UTF-8 (comma delimited)' for the first sheet alone.",
                f"Try it first without writing anything: {command}",
                f"Then import it: {real}. Every wrong row is reported with its row and column, "
                "and nothing is written while one is left.",
            ],
        ),
    ]
