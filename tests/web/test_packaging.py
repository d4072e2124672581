"""``pip install .`` ships every file the pages need: the templates, the translations and every
script and style under ``web/static``, as ``pyproject.toml``'s package-data patterns find them
(with ``glob``, as setuptools does). A folder of scripts added without its pattern (``static/*``
does not reach into sub-folders) would work from a checkout and break once installed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
WEB = ROOT / "web"


def test_the_package_ships_every_file_the_pages_need() -> None:
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    shipped = {path for pattern in setup["package-data"]["web"] for path in WEB.glob(pattern)}
    needed = {
        path
        for folder in ("static", "templates", "locales")
        for path in (WEB / folder).rglob("*")
        if path.is_file() and path.suffix in {".js", ".css", ".svg", ".html", ".po", ".woff2"}
    }
    assert needed, "no files found under web/: the test would prove nothing"
    missing = sorted(str(path.relative_to(ROOT)) for path in needed - shipped)
    assert not missing, f"not shipped by pyproject.toml's package-data: {missing}"
