Feature: A real assembly's past cycle is recorded as it happened
  France's Convention citoyenne pour le climat (2019-2021) adopted 147 proposals under 44
  objectives; the President answered them on 29 June 2020, took up all but three, and the
  government revised some of its answers later; in February 2021 the members scored what it had
  done. Its published texts (in tests/fixtures/ccc, sources named there) are loaded in 2026
  through the project's commands, dated as published, and must read as that cycle: nothing forced,
  and every entry marked as recorded after the fact.

  Background:
    Given the Convention's cycle was loaded from its published texts

  Scenario: The proposals stand under their objectives, told apart by reference
    Then the ledger holds 147 recommendations under 44 objectives of 6 themes
    And "SD-E2" is shown by its reference and first words, with its full text in paragraphs

  Scenario: One signed answer covers every proposal the President took up
    Then one answer dated 2020-06-29 covers every recommendation but the three refused
    And each recommendation it covers shows that answer in full

  Scenario: The three refusals carry their quoted reasons, one of them postponed
    Then 2 recommendations are "rejected" and 1 is "postponed", each with its quoted reason

  Scenario: An answer revised later stands beside the first
    Then "SD-E2" was answered "accepted" on 2020-06-29 and "accepted_in_part" on 2020-12-14

  Scenario: The cycle reads as it stood on a day of its own past
    Then as of 2020-06-25 all 147 recommendations await their answer
    And as of 2020-12-31 "SD-E2" stands "accepted_in_part" and écocide "accepted"

  Scenario: The members' scores stand beside what the government claimed
    Then the status board shows 3 recommendations scored by the commission, 2.8, 2.7 and 6.1
    And the dashboard counts the government's positions beside the commission's verdicts

  Scenario: A search without accents finds the proposal on écocide
    Then a search for "ecocide" finds the recommendation on "écocide"

  Scenario: History loaded later is never mistaken for what the ledger saw happen
    Then every entry of the cycle is marked as recorded after the fact
    And the ledger verifies
