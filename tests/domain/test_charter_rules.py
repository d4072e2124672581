"""The charter is written once, by the charter key; the commission's members are recorded once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cli.store import LedgerStore
from domain import commands
from domain.charter import Chartered, CommissionMemberRecorded, CommissionRole
from domain.errors import AlreadyDone, NotAllowed, NotFound, NotYet
from domain.panel import Convened, WithdrawalReason
from ledger.errors import RoleNotAllowed
from tests.domain.conftest import THEME, Office, step

CHARTER = Chartered(name="Assembly", region="Brussels-Capital", languages=("fr", "nl"))


def member(pseudonym: str = "P-000005", role: str = "chair") -> CommissionMemberRecorded:
    return CommissionMemberRecorded(pseudonym=pseudonym, role=CommissionRole(role), panel=1)


def test_the_charter_key_writes_the_charter_with_its_defaults(office: Office) -> None:
    office.do("charter", step(commands.write_charter, CHARTER))
    (recorded,) = LedgerStore(office.ledger, None).of_type(Chartered.TYPE)
    assert recorded.event == CHARTER
    assert recorded.role == "charter"
    assert (CHARTER.min_justification, CHARTER.theme_group_size) == (200, 25)
    assert CHARTER.review_offsets == ("P3M", "P12M")


def test_the_charter_is_written_only_once(chartered: Office) -> None:
    chartered.refuses(
        "charter",
        step(commands.write_charter, CHARTER),
        AlreadyDone,
        match="already has its charter; a change is a correction",
    )


@pytest.mark.parametrize("role", ["secretariat", "government", "commission"])
def test_no_other_key_may_write_the_charter(office: Office, role: str) -> None:
    office.refuses(
        role,
        step(commands.write_charter, CHARTER),
        RoleNotAllowed,  # type: ignore[arg-type]
        match=f"role '{role}', which may not write assembly.charter.chartered",
    )


def test_nothing_happens_before_the_charter(office: Office) -> None:
    panel = Convened(number=1, theme=THEME, seats=12, theme_chosen_by="government")
    office.refuses(
        "secretariat",
        step(commands.convene, panel),
        NotYet,
        match="no charter yet: run `assembly charter` first",
    )


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"languages": ("FR",)}, "not a two-letter language code"),
        ({"languages": ("fr", "fr")}, "a language is listed twice"),
        ({"languages": ()}, "at least 1 item"),
        ({"review_offsets": ("P12M", "P3M")}, "each review must come after the one before it"),
        ({"review_offsets": ()}, "at least 1 item"),
        ({"review_offsets": ("P0M",)}, "at least one month after the hand-over"),
        ({"justifications": {"refused": 10}}, "'refused' is not a position"),
        ({"review_offsets": ("3 months", "P12M")}, "not a number of months"),
        ({"min_justification": 0}, "greater than or equal to 1"),
        ({"theme_group_size": 0}, "greater than or equal to 1"),
    ],
)
def test_a_charter_with_unusable_settings_is_refused(
    fields: dict[str, object], problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        Chartered.model_validate({"name": "A", "region": "B", "languages": ("fr",), **fields})


def test_a_commission_member_is_recorded_once(seated: Office, members: tuple[str, ...]) -> None:
    seated.do("charter", step(commands.record_member, member(members[0])))
    seated.refuses(
        "charter",
        step(commands.record_member, member(members[0], role="member")),
        AlreadyDone,
        match=f"{members[0]} is already a member of the commission",
    )
    (recorded,) = LedgerStore(seated.ledger, None).of_type(CommissionMemberRecorded.TYPE)
    assert recorded.event == member(members[0])


def test_commission_members_come_from_a_convened_panel(chartered: Office) -> None:
    chartered.refuses(
        "charter",
        step(commands.record_member, member()),
        NotFound,
        match="This panel has not been convened",
    )


def test_commission_members_come_from_a_seated_panel(convened: Office) -> None:
    convened.refuses(
        "charter",
        step(commands.record_member, member()),
        NotYet,
        match="Panel 1 is not seated yet, so none of its members can be named to the commission",
    )


def test_a_volunteer_never_seated_on_the_panel_is_not_named_to_the_commission(
    seated: Office, reserves: tuple[str, ...]
) -> None:
    seated.refuses(
        "charter",
        step(commands.record_member, member(reserves[0])),
        NotAllowed,
        match=f"{reserves[0]} was never seated on panel 1, so cannot be named to the commission "
        "from it: name a pseudonym the panel's draw seated, or one who replaced a member",
    )


def test_a_member_who_replaced_another_or_withdrew_may_be_named_to_the_commission(
    seated: Office, members: tuple[str, ...], reserves: tuple[str, ...]
) -> None:
    seated.do("secretariat", step(commands.withdraw, 1, members[1], WithdrawalReason.HEALTH))
    seated.do("secretariat", step(commands.replace, 1, members[1], reserves[0]))
    seated.do("charter", step(commands.record_member, member(reserves[0], role="member")))
    seated.do("charter", step(commands.record_member, member(members[1], role="substitute")))
    recorded = LedgerStore(seated.ledger, None).of_type(CommissionMemberRecorded.TYPE)
    named = [f.event for f in recorded if isinstance(f.event, CommissionMemberRecorded)]
    assert [event.pseudonym for event in named] == [reserves[0], members[1]]


def test_only_the_charter_key_records_commission_members(
    seated: Office, members: tuple[str, ...]
) -> None:
    seated.refuses(
        "secretariat",
        step(commands.record_member, member(members[0])),
        RoleNotAllowed,  # type: ignore[arg-type]
        match="may not write assembly.commission.member_recorded",
    )


def test_a_commission_member_is_a_pseudonym_not_a_name() -> None:
    with pytest.raises(ValidationError, match="pseudonym"):
        CommissionMemberRecorded.model_validate(
            {"pseudonym": "Jan Janssens", "role": "chair", "panel": 1}
        )
