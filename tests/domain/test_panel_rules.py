"""A panel's life: convened, seated from its draw, members withdrawn and replaced, concluded;
the next panel convened on its theme group's theme; review meetings after the conclusion."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.correction import MeetingHeld
from domain.draws import PanelDraw
from domain.errors import AlreadyDone, NotAllowed, NotFound, NotYet
from domain.panel import (
    Concluded,
    Convened,
    MemberReplaced,
    MemberWithdrew,
    Panel,
    Seated,
    ThemeGroupRef,
    WithdrawalReason,
    panel_stream,
)
from domain.process import Session
from tests.domain.conftest import (
    PANEL_SIZE,
    THEME,
    Office,
    adopted,
    draw_theme_group,
    step,
    vote,
)

PERSONAL = WithdrawalReason.PERSONAL
THEME_2 = {"fr": "La mobilite", "nl": "Mobiliteit"}


def panel(office: Office, number: int = 1) -> Panel:
    return Session(office.store("secretariat")).get(Panel, panel_stream(number))


def second_panel(
    *, size: int = 5, formed_by: str = "drawn", from_panel: int = 1, chosen_by: str = "theme_group"
) -> Convened:
    return Convened.model_validate(
        {
            "number": 2,
            "theme": THEME_2,
            "seats": PANEL_SIZE,
            "theme_chosen_by": chosen_by,
            "theme_group": {"panel": from_panel, "size": size, "formed_by": formed_by},
        }
    )


# -- convening ------------------------------------------------------------------------------


def test_a_panel_is_convened_once(convened: Office) -> None:
    again = Convened(number=1, theme=THEME, seats=PANEL_SIZE, theme_chosen_by="government")
    convened.refuses(
        "secretariat",
        step(commands.convene, again),
        AlreadyDone,
        match="Panel 1 has already been convened",
    )


def test_the_first_panels_theme_is_chosen_by_the_government(chartered: Office) -> None:
    by_group = Convened(
        number=1,
        theme=THEME,
        seats=PANEL_SIZE,
        theme_chosen_by="theme_group",
        theme_group=ThemeGroupRef(panel=1, size=25, formed_by="drawn"),
    )
    chartered.refuses(
        "secretariat",
        step(commands.convene, by_group),
        NotAllowed,
        match="The first panel's theme is chosen by the government",
    )


@pytest.mark.parametrize(
    ("theme", "problem"),
    [
        ({"en": "Climate"}, r"has a text in en, which is not one of the charter's languages"),
        ({"fr": "Le climat", "de": "Klima"}, r"has a text in de"),
        ({"fr": "  "}, r"needs a text in at least one of the charter's languages \(fr, nl\)"),
    ],
)
def test_a_theme_is_in_the_charters_languages(
    chartered: Office, theme: dict[str, str], problem: str
) -> None:
    event = Convened(number=1, theme=theme, seats=PANEL_SIZE, theme_chosen_by="government")
    chartered.refuses(
        "secretariat",
        step(commands.convene, event),
        NotAllowed,
        match="The theme of panel 1 " + problem,
    )


def test_a_theme_in_one_of_the_charters_languages_is_enough(chartered: Office) -> None:
    event = Convened(
        number=1, theme={"nl": "Klimaat"}, seats=PANEL_SIZE, theme_chosen_by="government"
    )
    chartered.do("secretariat", step(commands.convene, event))
    assert panel(chartered).convened == event


def test_panel_two_cannot_be_convened_before_its_theme_group_is_formed(seated: Office) -> None:
    seated.refuses(
        "secretariat",
        step(commands.convene, second_panel()),
        NotYet,
        match="Panel 2's theme is chosen by a theme group drawn from panel 1, and none has "
        "been formed yet",
    )


def test_panel_two_must_say_how_its_theme_group_was_formed(seated: Office) -> None:
    seated.do("secretariat", draw_theme_group(seated.clock()))
    unsaid = Convened(number=2, theme=THEME_2, seats=PANEL_SIZE, theme_chosen_by="theme_group")
    seated.refuses(
        "secretariat",
        step(commands.convene, unsaid),
        NotAllowed,
        match="chosen by the theme group of panel 1: say how that group was formed",
    )
    by_government = Convened(
        number=2, theme=THEME_2, seats=PANEL_SIZE, theme_chosen_by="government"
    )
    seated.refuses(
        "secretariat",
        step(commands.convene, by_government),
        NotAllowed,
        match="say how that group was formed",
    )


@pytest.mark.parametrize(
    ("convening", "problem"),
    [
        ({"formed_by": "volunteered"}, "was drawn with 5 members; the convening must say so"),
        ({"size": 25}, "was drawn with 5 members; the convening must say so"),
        ({"from_panel": 2}, "The theme group must come from panel 1, not 2"),
    ],
)
def test_panel_twos_convening_states_its_theme_group_as_it_was_formed(
    seated: Office, convening: dict[str, object], problem: str
) -> None:
    seated.do("secretariat", draw_theme_group(seated.clock()))
    seated.refuses(
        "secretariat",
        step(commands.convene, second_panel(**convening)),  # type: ignore[arg-type]
        NotAllowed,
        match=problem,
    )


def test_panel_two_is_convened_on_the_theme_of_its_drawn_theme_group(seated: Office) -> None:
    seated.do("secretariat", draw_theme_group(seated.clock()))
    seated.do("secretariat", step(commands.convene, second_panel()))
    convened = panel(seated, 2).convened
    assert convened is not None and convened.theme_group == ThemeGroupRef(
        panel=1, size=5, formed_by="drawn"
    )


def test_panel_two_needs_panel_one(chartered: Office) -> None:
    chartered.refuses(
        "secretariat",
        step(commands.convene, second_panel()),
        NotYet,
        match="none has been formed yet",
    )


# -- seating --------------------------------------------------------------------------------


def test_a_panel_is_seated_only_after_its_draw_was_performed(convened: Office) -> None:
    convened.refuses(
        "secretariat",
        step(commands.seat, 1),
        NotYet,
        match="Panel 1 has no performed draw to seat it from",
    )


def test_an_announced_draw_that_was_not_performed_seats_nobody(panel_announced: Office) -> None:
    panel_announced.refuses(
        "secretariat", step(commands.seat, 1), NotYet, match="has no performed draw"
    )


def test_a_panel_is_seated_with_exactly_the_members_its_draw_selected(
    seated: Office, members: tuple[str, ...]
) -> None:
    session = Session(seated.store("secretariat"))
    performed = session.get(PanelDraw, PanelDraw.stream_for(1)).performed
    assert performed is not None
    (recorded,) = LedgerStore(seated.ledger, None).of_type(Seated.TYPE)
    assert recorded.event == Seated(number=1, members=tuple(sorted(performed.selected)))
    assert len(members) == PANEL_SIZE


def test_a_panel_is_seated_once(seated: Office) -> None:
    seated.refuses(
        "secretariat", step(commands.seat, 1), AlreadyDone, match="Panel 1 is already seated"
    )


def test_an_unconvened_panel_is_not_seated(chartered: Office) -> None:
    chartered.refuses(
        "secretariat", step(commands.seat, 1), NotFound, match="has not been convened"
    )


# -- withdrawals and replacements -----------------------------------------------------------


def test_only_a_seated_member_can_withdraw(seated: Office, reserves: tuple[str, ...]) -> None:
    seated.refuses(
        "secretariat",
        step(commands.withdraw, 1, reserves[0], PERSONAL),
        NotFound,
        match=f"{reserves[0]} is not a seated member of panel 1",
    )


def test_nobody_withdraws_before_the_panel_is_seated(panel_announced: Office) -> None:
    panel_announced.refuses(
        "secretariat",
        step(commands.withdraw, 1, "P-000001", PERSONAL),
        NotYet,
        match="Panel 1 is not seated yet",
    )


def test_a_member_withdraws_once(seated: Office, members: tuple[str, ...]) -> None:
    seated.do("secretariat", step(commands.withdraw, 1, members[0], PERSONAL))
    seated.refuses(
        "secretariat",
        step(commands.withdraw, 1, members[0], PERSONAL),
        NotFound,
        match=f"{members[0]} is not a seated member of panel 1",
    )


def test_only_a_withdrawn_member_is_replaced(
    seated: Office, members: tuple[str, ...], reserves: tuple[str, ...]
) -> None:
    seated.refuses(
        "secretariat",
        step(commands.replace, 1, members[0], reserves[0]),
        NotYet,
        match=f"{members[0]} has not withdrawn from panel 1: record that first",
    )


def test_a_withdrawn_member_is_not_replaced_by_someone_who_sat_already(
    seated: Office, members: tuple[str, ...]
) -> None:
    seated.do("secretariat", step(commands.withdraw, 1, members[0], PERSONAL))
    for sat_already in (members[1], members[0]):
        seated.refuses(
            "secretariat",
            step(commands.replace, 1, members[0], sat_already),
            NotAllowed,
            match=f"{sat_already} has already sat on panel 1",
        )


def test_a_replacement_who_withdraws_cannot_come_back(
    seated: Office, members: tuple[str, ...], reserves: tuple[str, ...]
) -> None:
    seated.do("secretariat", step(commands.withdraw, 1, members[0], PERSONAL))
    seated.do("secretariat", step(commands.replace, 1, members[0], reserves[0]))
    seated.do("secretariat", step(commands.withdraw, 1, reserves[0], PERSONAL))
    seated.refuses(
        "secretariat",
        step(commands.replace, 1, reserves[0], reserves[0]),
        NotAllowed,
        match=f"{reserves[0]} has already sat on panel 1",
    )


def test_a_withdrawn_member_is_replaced_once(
    seated: Office, members: tuple[str, ...], reserves: tuple[str, ...]
) -> None:
    seated.do("secretariat", step(commands.withdraw, 1, members[0], WithdrawalReason.HEALTH))
    seated.do("secretariat", step(commands.replace, 1, members[0], reserves[0]))
    seated.refuses(
        "secretariat",
        step(commands.replace, 1, members[0], reserves[1]),
        NotYet,
        match=f"{members[0]} has not withdrawn from panel 1",
    )
    after = panel(seated)
    assert after.members == (set(members) - {members[0]}) | {reserves[0]}
    store = LedgerStore(seated.ledger, None)
    assert [r.event for r in store.of_type(MemberWithdrew.TYPE)] == [
        MemberWithdrew(number=1, pseudonym=members[0], reason=WithdrawalReason.HEALTH)
    ]
    assert [r.event for r in store.of_type(MemberReplaced.TYPE)] == [
        MemberReplaced(number=1, withdrawn=members[0], replacement=reserves[0])
    ]


# -- conclusion and reviews -----------------------------------------------------------------


def test_nothing_happens_to_a_panel_after_its_conclusion(
    seated: Office, members: tuple[str, ...], reserves: tuple[str, ...]
) -> None:
    seated.do("secretariat", step(commands.withdraw, 1, members[0], PERSONAL))
    seated.do("secretariat", step(commands.conclude, 1, date(2026, 6, 30)))
    for late in (
        step(commands.withdraw, 1, members[1], PERSONAL),
        step(commands.replace, 1, members[0], reserves[0]),
        step(commands.conclude, 1, date(2026, 7, 1)),
    ):
        seated.refuses("secretariat", late, AlreadyDone, match="Panel 1 has concluded")
    seated.refuses("secretariat", step(commands.seat, 1), AlreadyDone, match="already seated")
    (concluded,) = LedgerStore(seated.ledger, None).of_type(Concluded.TYPE)
    assert concluded.event == Concluded(number=1, on=date(2026, 6, 30))


def test_a_panel_that_was_never_seated_does_not_conclude(convened: Office) -> None:
    convened.refuses(
        "secretariat",
        step(commands.conclude, 1, date(2026, 6, 30)),
        NotYet,
        match="Panel 1 is not seated yet",
    )


def test_a_concluded_panel_holds_no_more_votes(seated: Office) -> None:
    seated.do("secretariat", step(commands.conclude, 1, date(2026, 6, 30)))
    seated.refuses(
        "secretariat",
        step(commands.record_vote, vote("V-late")),
        AlreadyDone,
        match="Panel 1 has concluded",
    )


def test_a_concluded_panel_adopts_no_more_recommendations(seated: Office) -> None:
    seated.do("secretariat", step(commands.record_vote, vote("V-1")))
    seated.do("secretariat", step(commands.conclude, 1, date(2026, 6, 30)))
    seated.refuses(
        "secretariat",
        step(commands.adopt, adopted(1, vote="V-1")),
        AlreadyDone,
        match="Panel 1 has concluded",
    )


def test_a_review_meeting_is_held_only_after_the_panel_concluded(seated: Office) -> None:
    meeting = MeetingHeld(panel=1, review=1, on=date(2026, 9, 30))
    seated.refuses(
        "secretariat",
        step(commands.hold_review, meeting),
        NotYet,
        match="Panel 1 has not concluded: its recommendations are not yet under review",
    )


def test_each_review_meeting_is_held_once(seated: Office) -> None:
    concluded = date(2026, 6, 30)
    seated.do("secretariat", step(commands.conclude, 1, concluded))
    first = MeetingHeld(panel=1, review=1, on=concluded + timedelta(days=92))
    second = MeetingHeld(panel=1, review=2, on=concluded + timedelta(days=365))
    seated.do("secretariat", step(commands.hold_review, first))
    seated.do("secretariat", step(commands.hold_review, second))
    for review in (1, 2):
        again = MeetingHeld(panel=1, review=review, on=concluded + timedelta(days=400))
        seated.refuses(
            "secretariat",
            step(commands.hold_review, again),
            AlreadyDone,
            match=f"Review {review} of panel 1 was held on",
        )
    held = LedgerStore(seated.ledger, None).of_type(MeetingHeld.TYPE)
    assert [r.event for r in held] == [first, second]


def test_a_review_meeting_needs_a_convened_panel(chartered: Office) -> None:
    meeting = MeetingHeld(panel=1, review=1, on=date(2026, 9, 30))
    chartered.refuses(
        "secretariat", step(commands.hold_review, meeting), NotFound, match="not been convened"
    )
