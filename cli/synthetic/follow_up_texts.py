"""Sentences for implementation reports and the follow-up commission's assessments."""

from __future__ import annotations

MILESTONES = {
    "not_started": (
        "Preparatory work has not started; the budget line is expected in {year}.",
        "No action yet; the responsible administration is being designated.",
    ),
    "in_progress": (
        "Call for projects launched; {n} applications received so far.",
        "Implementing decree adopted at first reading; consultation of the advisory councils "
        "under way.",
        "Works started on the first {n} sites.",
    ),
    "stalled": (
        "Tender declared unsuccessful; a new tender is being prepared.",
        "Work paused pending the adjusted budget for {year}.",
    ),
    "completed": (
        "Measure in force; first annual report published.",
        "All {n} planned sites delivered and open to the public.",
    ),
    "completed_modified": ("Measure in force in an amended form; see the justification.",),
    "abandoned": ("Implementation stopped; see the justification.",),
}

CHANGE_REASONS = {
    "completed_modified": (
        (
            "The measure was implemented, but not exactly as recommended.",
            "The measure is in force in a form that differs from the recommendation.",
        ),
        (
            "Consultation with the municipalities showed that a single regional scheme would "
            "not fit the very different situations of the neighbourhoods, so the scheme is "
            "run by {n} local partners instead.",
            "The tender attracted fewer bidders than expected, and the scope was reduced to "
            "the sites where the expected benefit per euro was highest.",
            "The eligibility criteria were simplified after the first months, because the "
            "initial form discouraged the households the measure was meant to reach.",
        ),
        (
            "The government considers that the amended measure keeps the intent of the "
            "recommendation and will report its effect at the next review.",
            "The follow-up commission was informed of the change before it took effect.",
        ),
    ),
    "abandoned": (
        (
            "The government has stopped implementing this measure.",
            "Implementation of this measure has been abandoned.",
        ),
        (
            "The pilot phase showed costs about {n} percent higher than estimated, with an "
            "effect on emissions that the evaluation could not distinguish from zero.",
            "A court ruling annulled the implementing decree, and a new legal basis would "
            "require a federal law that is not on the agenda.",
            "The partner organisation that was to run the scheme withdrew, and no other "
            "partner answered two successive calls.",
        ),
        (
            "The budget is reallocated to the renovation support scheme, whose results are "
            "better documented.",
            "The government will propose another way to reach the same aim at the next review.",
        ),
    ),
}

ASSESSMENT_NOTES = {
    "agrees": (
        "The answer matches what we observed and the documents support it.",
        "The commission agrees with the answer; the timetable is realistic.",
        "The evidence provided is sufficient and the measure is visible on the ground.",
    ),
    "insufficient_information": (
        "The answer gives no dates or budget, so the commission cannot judge it yet.",
        "The documents announced in the answer have not been published.",
        "The commission asked for the study mentioned in the answer and has not received it.",
    ),
}

DISPUTE_REASONS = (
    (
        "The commission disputes this answer.",
        "We do not accept the explanation given.",
    ),
    (
        "The justification does not address the main argument of the panel, namely the "
        "effect on households with low incomes.",
        "The timetable announced at the 3-month review has slipped and the minutes give no "
        "reason for it.",
        "The cost estimate is not published, so the claim that it is too expensive cannot "
        "be checked.",
        "The measure described is narrower than the recommendation and is presented as "
        "if it were the same.",
    ),
    (
        "We ask for a revised plan with dates before the next review.",
        "We ask the minister to present the underlying analysis to the commission.",
    ),
)
