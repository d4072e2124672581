"""The commands of the README's "Your first hour", read from the README itself, so the tests
that run them (features/administrator/first_hour.feature) fail when the README drifts."""

from __future__ import annotations

import shlex
from pathlib import Path

README = Path(__file__).parents[2] / "README.md"
Command = tuple[dict[str, str], list[str]]  # the environment its `export` lines set, and argv


def first_hour_blocks() -> list[list[Command]]:
    """Each `sh` block of the section, as its `assembly` commands in order: continuation lines
    joined, its `for` loops unrolled, each command with the variables exported before it."""
    text = README.read_text(encoding="utf-8").split("## Your first hour\n", 1)[1]
    text = text.split("\n## ", 1)[0]
    blocks = [block.split("\n```", 1)[0] for block in text.split("```sh\n")[1:]]
    env: dict[str, str] = {}
    found = []
    for block in blocks:
        commands: list[Command] = []
        loop: tuple[str, list[str]] | None = None
        body: list[list[str]] = []
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if not words:
                continue
            if words[0] == "for":
                loop = (words[1], [word.rstrip(";") for word in words[3 : words.index("do")]])
            elif words[0] == "done" and loop is not None:
                name, values = loop
                for value in values:
                    commands += [
                        (dict(env), [word.replace(f"${name}", value) for word in command])
                        for command in body
                    ]
                loop, body = None, []
            elif words[0] == "export":
                key, _, value = words[1].partition("=")
                env[key] = value
            elif loop is not None:
                body.append(words[1:])
            else:
                commands.append((dict(env), words[1:]))
        found.append(commands)
    return found
