"""The draw files and their typed contents: register, pool, quotas, portfolio (docs/design.md 5).

Readers are strict: a malformed file is a ``BadDrawFile`` naming the file and the line (the
header is line 1). Values are taken exactly as written (no trimming: a value with surrounding
spaces is refused), because the commitments hash them byte for byte. Writers produce the
canonical form (UTF-8, ``\\n`` line ends, minimal CSV quoting; the portfolio as JSON with sorted
keys and no spaces), so a file's SHA-256 is the digest of its parsed contents.

The quota file may carry a fifth column, ``population_ppm``: each value's share of the
population in millionths (whole numbers, so the ledger can record them), on every line or on
none. Files without it (the older format) still load, with the shares unknown, and are written
back without it, so their digests do not change.

Personal data stays off the draw files: the pool file holds a pseudonym and the feature columns
only, and a column that looks like a name, an address, a birth date or a contact is refused.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from domain.draws.commit import digest_bytes
from domain.draws.errors import BadDrawFile

REGISTER_HEADER = ("address_id", "municipality")
QUOTA_HEADER = ("feature", "value", "min", "max")
POPULATION_COLUMN = "population_ppm"
PPM = 1_000_000
PERSONAL_COLUMNS = frozenset(
    {
        *("name", "first_name", "last_name", "surname", "given_name", "full_name", "family_name"),
        *("address", "street", "house_number", "postcode", "postal_code", "zip"),
        *("birth_date", "date_of_birth", "birthdate", "dob"),
        *("email", "e_mail", "phone", "telephone", "mobile"),
        *("national_number", "national_register_number", "rrn", "niss", "nrn", "passport", "iban"),
    }
)
_PSEUDONYM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\Z")
_COUNT = re.compile(r"(0|[1-9][0-9]{0,8})\Z")


@dataclass(frozen=True)
class Register:
    """The address register: one address id and its municipality per record, in file order."""

    address_ids: list[str]
    municipalities: list[str]

    def __len__(self) -> int:
        return len(self.address_ids)

    def records(self) -> Iterator[tuple[str, str]]:
        """The committed fields of each record, in file order."""
        return zip(self.address_ids, self.municipalities, strict=True)

    def counts(self) -> dict[str, int]:
        """Addresses per municipality, sorted by municipality."""
        return dict(sorted(Counter(self.municipalities).items()))


@dataclass(frozen=True)
class PoolRow:
    """One volunteer: a pseudonym and a value per feature (in the pool's feature order)."""

    pseudonym: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Pool:
    """The closed volunteer pool: sorted feature names and one row per volunteer."""

    features: tuple[str, ...]
    rows: tuple[PoolRow, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def records(self) -> Iterator[tuple[str, ...]]:
        """The committed fields of each volunteer: pseudonym, then values by feature name."""
        return ((row.pseudonym, *row.values) for row in self.rows)

    def strata(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Each pseudonym's (feature, value) pairs."""
        return {
            row.pseudonym: tuple(zip(self.features, row.values, strict=True)) for row in self.rows
        }


@dataclass(frozen=True)
class Quota:
    """One line of the quota table: how many panel members may have feature = value."""

    feature: str
    value: str
    min: int
    max: int
    population_ppm: int | None = None  # the value's share of the population; None: unknown


@dataclass(frozen=True)
class Portfolio:
    """m panels computed before the randomness is known, each meeting every quota."""

    algorithm: str
    solver: str
    versions: dict[str, str]
    seed: int
    pool_root: str
    quota_digest: str
    panel_size: int
    panels: tuple[tuple[str, ...], ...] = field(repr=False)

    @property
    def size(self) -> int:
        """m, the number of panels."""
        return len(self.panels)


def _check_value(path: str, line: int, column: str, value: str) -> None:
    if not value:
        raise BadDrawFile(path, line, f"{column} is empty")
    if value != value.strip() or not value.isprintable():
        raise BadDrawFile(
            path, line, f"{column} {value!r} has spaces around it or a control character"
        )


def _csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadDrawFile(str(path), None, f"the file is not UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise BadDrawFile(str(path), None, f"the file cannot be read ({exc.strerror})") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise BadDrawFile(str(path), None, f"the file is not valid CSV ({exc})") from None
    if not rows:
        raise BadDrawFile(str(path), 1, "the file is empty; it needs a header line")
    return rows[0], rows[1:]


def read_register(path: Path) -> Register:
    """Read an address register CSV: header ``address_id,municipality``."""
    header, rows = _csv_rows(path)
    name = str(path)
    if tuple(header) != REGISTER_HEADER:
        raise BadDrawFile(name, 1, "the header must be exactly 'address_id,municipality'")
    ids: list[str] = []
    places: list[str] = []
    interned: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        if len(row) != 2:
            raise BadDrawFile(name, line, f"expected 2 fields, found {len(row)}")
        address, place = row
        # One cheap test per line (582,000 of them); the precise reason only when it fails.
        if (
            not (address.strip() == address and place.strip() == place and address and place)
            or not (address + place).isprintable()
        ):
            _check_value(name, line, "address_id", address)
            _check_value(name, line, "municipality", place)
        ids.append(address)
        places.append(interned.setdefault(place, place))
    if len(set(ids)) != len(ids):
        _refuse_duplicate(name, ids, "address_id")
    return Register(ids, places)


def _refuse_duplicate(path: str, values: Sequence[str], column: str) -> None:
    first: dict[str, int] = {}
    for line, value in enumerate(values, start=2):
        if value in first:
            raise BadDrawFile(path, line, f"{column} {value} repeats line {first[value]}")
        first[value] = line


def make_pool(
    rows: Sequence[Mapping[str, str]], *, quotas: Sequence[Quota] | None = None, path: str = "pool"
) -> Pool:
    """A pool from rows keyed by column name (``pseudonym`` and one column per feature)."""
    header = list(rows[0]) if rows else ["pseudonym"]
    features = _pool_features(path, header, quotas)
    allowed = _allowed_values(quotas)
    pool_rows = []
    for line, row in enumerate(rows, start=2):
        if list(row) != header:
            raise BadDrawFile(path, line, "the columns differ from the first row's")
        pool_rows.append(_pool_row(path, line, row, features, allowed))
    _refuse_duplicate(path, [row.pseudonym for row in pool_rows], "pseudonym")
    return Pool(features, tuple(pool_rows))


def read_pool(path: Path, *, quotas: Sequence[Quota] | None = None) -> Pool:
    """Read a pool CSV: ``pseudonym`` and the feature columns (those of ``quotas`` if given)."""
    header, rows = _csv_rows(path)
    name = str(path)
    features = _pool_features(name, header, quotas)
    allowed = _allowed_values(quotas)
    pool_rows = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise BadDrawFile(name, line, f"expected {len(header)} fields, found {len(row)}")
        pool_rows.append(
            _pool_row(name, line, dict(zip(header, row, strict=True)), features, allowed)
        )
    _refuse_duplicate(name, [row.pseudonym for row in pool_rows], "pseudonym")
    return Pool(features, tuple(pool_rows))


def _pool_features(
    path: str, header: Sequence[str], quotas: Sequence[Quota] | None
) -> tuple[str, ...]:
    if "pseudonym" not in header:
        raise BadDrawFile(path, 1, "the pool file needs a 'pseudonym' column")
    if len(set(header)) != len(header):
        raise BadDrawFile(path, 1, "a column name repeats")
    columns = [column for column in header if column != "pseudonym"]
    wanted = {quota.feature for quota in quotas} if quotas is not None else None
    for column in columns:
        if column.strip().lower().replace(" ", "_").replace("-", "_") in PERSONAL_COLUMNS:
            raise BadDrawFile(
                path,
                1,
                f"column '{column}' holds personal data, which stays off the draw "
                "files: keep only the pseudonym and the feature columns",
            )
        if wanted is not None and column not in wanted:
            raise BadDrawFile(path, 1, f"column '{column}' is not a feature of the quota table")
    for feature in sorted((wanted or set()) - set(columns)):
        raise BadDrawFile(path, 1, f"the pool file has no column '{feature}' (a quota feature)")
    if not columns:
        raise BadDrawFile(path, 1, "the pool file has no feature column")
    return tuple(sorted(columns))


def _allowed_values(quotas: Sequence[Quota] | None) -> dict[str, set[str]] | None:
    if quotas is None:
        return None
    allowed: dict[str, set[str]] = {}
    for quota in quotas:
        allowed.setdefault(quota.feature, set()).add(quota.value)
    return allowed


def _pool_row(
    path: str,
    line: int,
    row: Mapping[str, str],
    features: tuple[str, ...],
    allowed: dict[str, set[str]] | None,
) -> PoolRow:
    pseudonym = row["pseudonym"]
    if not _PSEUDONYM.match(pseudonym):
        raise BadDrawFile(
            path, line, f"pseudonym {pseudonym!r} is not 1-64 letters, digits or . _ : -"
        )
    values = tuple(row[feature] for feature in features)
    for feature, value in zip(features, values, strict=True):
        _check_value(path, line, feature, value)
        if allowed is not None and value not in allowed[feature]:
            raise BadDrawFile(path, line, f"{feature} '{value}' is not a value of the quota table")
    return PoolRow(pseudonym, values)


def read_quotas(path: Path) -> list[Quota]:
    """Read a quota CSV: header ``feature,value,min,max`` and optionally ``population_ppm``;
    whole numbers, min <= max, and each feature's population shares adding up to at most one."""
    header, rows = _csv_rows(path)
    name = str(path)
    with_shares = tuple(header) == (*QUOTA_HEADER, POPULATION_COLUMN)
    if tuple(header) != QUOTA_HEADER and not with_shares:
        raise BadDrawFile(
            name,
            1,
            "the header must be exactly 'feature,value,min,max', optionally followed by "
            f"',{POPULATION_COLUMN}'",
        )
    quotas: list[Quota] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise BadDrawFile(name, line, f"expected {len(header)} fields, found {len(row)}")
        feature, value, low, high = row[:4]
        _check_value(name, line, "feature", feature)
        _check_value(name, line, "value", value)
        for column, number in (("min", low), ("max", high)):
            if not _COUNT.match(number):
                raise BadDrawFile(name, line, f"{column} {number!r} is not a whole number >= 0")
        if int(low) > int(high):
            raise BadDrawFile(name, line, f"min {low} is greater than max {high}")
        if (feature, value) in seen:
            raise BadDrawFile(name, line, f"{feature}={value} repeats line {seen[feature, value]}")
        seen[feature, value] = line
        share = _population_share(name, line, row[4]) if with_shares else None
        quotas.append(Quota(feature, value, int(low), int(high), share))
        _check_shares(name, line, quotas)
    return quotas


def _population_share(path: str, line: int, text: str) -> int:
    if not _COUNT.match(text) or int(text) > PPM:
        raise BadDrawFile(
            path,
            line,
            f"{POPULATION_COLUMN} {text!r} is not a whole number of millionths from 0 to "
            f"{PPM:,} (with the column, every line needs a share)",
        )
    return int(text)


def _check_shares(path: str, line: int, quotas: Sequence[Quota]) -> None:
    """Refuse the line at which a feature's population shares pass one million millionths."""
    feature = quotas[-1].feature
    total = sum(q.population_ppm or 0 for q in quotas if q.feature == feature)
    if total > PPM:
        raise BadDrawFile(
            path,
            line,
            f"the population shares of {feature} add up to {total:,} millionths, more than {PPM:,}",
        )


def _csv_bytes(header: Sequence[str], rows: Iterator[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def quota_bytes(quotas: Sequence[Quota]) -> bytes:
    """The canonical quota file: its header, then one line per quota in table order; with the
    ``population_ppm`` column only when the table has population shares."""
    known = [q.population_ppm is not None for q in quotas]
    if not any(known):
        return _csv_bytes(QUOTA_HEADER, ((q.feature, q.value, q.min, q.max) for q in quotas))
    if not all(known):
        raise AssertionError("a quota table has a population share on every line or on none")
    return _csv_bytes(
        (*QUOTA_HEADER, POPULATION_COLUMN),
        ((q.feature, q.value, q.min, q.max, q.population_ppm) for q in quotas),
    )


def quota_digest(quotas: Sequence[Quota]) -> str:
    """``sha256:<hex>`` of the canonical quota file (equal to the digest of a written file)."""
    return digest_bytes(quota_bytes(quotas))


def write_quotas(path: Path, quotas: Sequence[Quota]) -> None:
    """Write the canonical quota file."""
    path.write_bytes(quota_bytes(quotas))


def write_register(path: Path, register: Register) -> None:
    """Write an address register CSV."""
    path.write_bytes(_csv_bytes(REGISTER_HEADER, iter(register.records())))


def write_pool(path: Path, pool: Pool) -> None:
    """Write a pool CSV: pseudonym, then the features in sorted order."""
    path.write_bytes(_csv_bytes(("pseudonym", *pool.features), pool.records()))
