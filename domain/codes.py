"""The shapes of the codes events carry, and what each allows in words.

Codes stay ASCII so that they can be typed, sorted and put in addresses alike in every
language; the names people read, accents and all, are labels (``domain.labels``). The words
are what a refusal says, so that a user who typed ``transition-écologique`` learns what to type
instead of reading a regular expression.
"""

from __future__ import annotations

PORTFOLIO = r"^[a-z][a-z0-9_-]{0,63}$"
GROUP = r"^[a-z0-9][a-z0-9._-]{0,63}$"
REFERENCE = r"^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$"
VOTE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
PERCENT = r"^[0-9]{1,3}(\.[0-9]{1,2})?$"

IN_WORDS: dict[str, str] = {
    PORTFOLIO: (
        "a code of lowercase letters a-z, digits, '-' or '_', starting with a letter, such as "
        "transition-ecologique; give the name with accents as a label"
    ),
    GROUP: (
        "a code of lowercase letters a-z, digits, '.', '-' or '_', such as sd11; give its "
        "title with accents as a text"
    ),
    REFERENCE: (
        "the assembly's own reference, of letters A-Z or a-z, digits, '.' or '-' (at most 32), "
        "such as SD-E2 or SN1.1"
    ),
    VOTE_ID: "an id of letters, digits, '.', '-' or '_' (at most 32), such as V-12",
    PERCENT: "a percentage as a decimal number written as text, such as 98 or 1.5",
}
LEVEL = r"^[a-z][a-z -]{0,31}$"
STRATUM = r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$"

IN_WORDS.update(
    {
        LEVEL: "a word in lowercase letters a-z, such as objective, goal or theme",
        STRATUM: (
            "a code of letters a-z or A-Z, digits, '.', '+', '-' or '_', as in the quota table, "
            "such as age or 16-24; give the name with accents as a label"
        ),
    }
)
