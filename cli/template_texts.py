"""The ``instructions`` sheet of a template, in French, Dutch and English: how to fill the rows,
how to save the file, and the command that imports it."""

from __future__ import annotations

from collections.abc import Sequence

# The command that imports a filled template of each kind, run by the office that signs it.
OFFICES = {
    "answers": "government",
    "implementation": "government",
    "verdicts": "commission",
    "recommendations": "secretariat",
}
# Each kind's rows, as the instructions name them in each language.
WHAT = {
    "answers": {
        "fr": "les réponses du gouvernement, une ligne par recommandation et par revue",
        "nl": "de antwoorden van de regering, één rij per aanbeveling en per evaluatie",
        "en": "the government's answers, one row per recommendation and review",
    },
    "implementation": {
        "fr": "l'état de la mise en œuvre, une ligne par recommandation acceptée",
        "nl": "de stand van de uitvoering, één rij per aanvaarde aanbeveling",
        "en": "how implementation goes, one row per accepted recommendation",
    },
    "verdicts": {
        "fr": "les avis de la commission, une ligne par recommandation ayant reçu une réponse",
        "nl": "de oordelen van de commissie, één rij per beantwoorde aanbeveling",
        "en": "the commission's verdicts, one row per answered recommendation",
    },
    "recommendations": {
        "fr": "les recommandations adoptées par le panel et leur remise au gouvernement",
        "nl": "de aanbevelingen die het panel aannam en hun overdracht aan de regering",
        "en": "the panel's adopted recommendations and their hand-over to the government",
    },
}


def import_command(kind: str, *, dry_run: bool) -> str:
    """The command that imports a filled template of ``kind``, signed by its office's key."""
    command = f"assembly import {kind} FILE.xlsx --key {OFFICES[kind]}.key"
    return command + (" --dry-run" if dry_run else "")


def instructions(kind: str, *, panel: int) -> list[tuple[str, Sequence[str]]]:
    """The blocks of the instructions sheet (heading, lines), French, Dutch, then English."""
    command = import_command(kind, dry_run=True)
    real = import_command(kind, dry_run=False)
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
                "Supprimez les lignes que vous ne remplissez pas maintenant, ajoutez-en en "
                "dessous au besoin ; ne changez pas les en-têtes (en anglais ; les noms "
                "français et néerlandais sont acceptés aussi).",
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
                f"Deze werkmap is voor {what['nl']}.",
                f"Vul het blad '{kind}' in: één rij per element. De grijze cellen komen uit "
                "het register: verander ze niet. De notitie bij de eerste cel en het blad "
                "'titles' geven de titel van elke aanbeveling.",
                "Kies de waarden in de keuzelijsten; het blad 'rules' zegt wat elke kolom "
                "verwacht (minimale lengte van de motivering, beslissingsdatum, enz.). "
                "Datums: 2027-06-30 of 30/06/2027 (ook 30-06-2027, 30.06.2027).",
                "Verwijder de rijen die u nu niet invult, voeg er zo nodig onderaan toe; "
                "verander de kolomkoppen niet "
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
                "Delete the rows you do not fill in now, add rows below if needed; keep the "
                "headers (in English; French "
                "and Dutch names are accepted too).",
                "Save as .xlsx, or as 'CSV UTF-8 (comma delimited)' for the first sheet alone.",
                f"Try it first without writing anything: {command}",
                f"Then import it: {real}. Every wrong row is reported with its row and column, "
                "and nothing is written while one is left.",
            ],
        ),
    ]
