"""The texts of an answer or a verdict in several languages, as the command line and the bulk
file give them.

An answer is signed with its original texts where they always were (``justification``,
``planned_measures``), the ``language`` they are written in, and ``translations`` into the
charter's other languages; a verdict likewise with its ``reasons``. On the command line each
text option may name its language as recommendations do (``--justification fr=...
--justification nl=...``): the first language given is the original. A value without a leading
two-letter code and ``=`` is a text in no named language, as before languages were recorded, so a
justification that merely contains ``=`` is read as it is written. In the bulk file the
translations are columns ``justification_LANG`` and ``planned_measures_LANG`` beside the row's
``language`` (``sheets.languages``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import typer

from cli.errors import UsageProblem
from cli.writing import read_text

TAGGED = re.compile(r"([a-z]{2})=(.*)\Z", re.DOTALL)

ORDER = "text options in order"  # where ``noted`` keeps them, in the command's context
Given = tuple[str | None, str]  # (language, or None when not named; text)


def tagged(values: Sequence[str] | None) -> list[Given]:
    """Each value of a repeated option with the language it names (``fr=...``), if any."""
    found: list[Given] = []
    for value in values or ():
        match = TAGGED.match(value)
        found.append((match[1], match[2]) if match else (None, value))
    return found


def from_files(option: str, values: Sequence[str] | None) -> list[Given]:
    """Each ``[LANG=]FILE`` value of a repeated option with its file's UTF-8 text."""
    return [(code, read_text(None, Path(path), option)) for code, path in tagged(values)]


@dataclass(frozen=True)
class InLanguages:
    """Texts (by field) in their original language, and in each other language given."""

    language: str | None = None
    original: dict[str, str] = field(default_factory=dict)
    translations: dict[str, dict[str, str]] = field(default_factory=dict)


def in_languages(given: Mapping[str, Sequence[Given]]) -> InLanguages:
    """Sort the texts of each field (``given``: field -> the values of its options, in order)
    into the original and its translations. The original's language is the first one named,
    field by field in the order of ``given``; every text names its language, or none does (then
    each field is given once at most, and the texts have no recorded language)."""
    named = [code for values in given.values() for code, _ in values]
    if all(code is None for code in named):
        for name, values in given.items():
            if len(values) > 1:
                option = _option(name)
                raise UsageProblem(
                    f"{option} is given more than once: give its text once, or once per "
                    f"language with the language's code ({option} fr='...' {option} nl='...')."
                )
        return InLanguages(
            original={name: text for name, values in given.items() for _, text in values}
        )
    if None in named:
        options = " and ".join(_option(name) for name in given)
        raise UsageProblem(
            f"Give every text of {options} with its language ({_option(next(iter(given)))} "
            "fr='...'), or none: a text without a language cannot sit beside texts with one."
        )
    by_field: dict[str, dict[str, str]] = {}
    for name, values in given.items():
        texts = by_field.setdefault(name, {})
        for code, text in values:
            assert code is not None
            if code in texts:
                raise UsageProblem(f"{_option(name)} gives a text in {code} twice: give it once.")
            texts[code] = text
    language = next(code for code in named if code is not None)
    others = dict.fromkeys(code for code in named if code is not None and code != language)
    return InLanguages(
        language=language,
        original={name: texts.get(language, "") for name, texts in by_field.items()},
        translations={
            code: {name: texts.get(code, "") for name, texts in by_field.items()} for code in others
        },
    )


def noted(ctx: typer.Context, param: typer.CallbackParam, value: object) -> object:
    """Note which text options were given, in the order they came on the command line (click
    processes options in that order), so that the first language given can be the original."""
    if value:
        ctx.meta.setdefault(ORDER, []).append(param.name)
    return value


def answer_texts(
    justification: Sequence[str] | None,
    justification_file: Sequence[str] | None,
    planned_measures: Sequence[str] | None,
    *,
    order: Sequence[str] = (),
) -> InLanguages:
    """An answer's texts from ``--justification``, ``--justification-file`` and
    ``--planned-measures`` (``in_languages``). The original is the first justification given,
    inline or from a file as ``order`` (the options' names as ``noted`` found them) says, else
    the first planned measures: the justification is what the charter's minimum is measured on."""
    inline = tagged(justification)
    from_file = from_files("--justification-file", justification_file)
    if any(code is None for code, _ in inline) and any(code is None for code, _ in from_file):
        raise UsageProblem("Give --justification or --justification-file, not both.")
    came = [name for name in order if name in ("justification", "justification_file")]
    justified = (
        [*from_file, *inline] if came[:1] == ["justification_file"] else [*inline, *from_file]
    )
    return in_languages({"justification": justified, "planned_measures": tagged(planned_measures)})


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")
