Feature: A journalist checks that nothing in the ledger was changed or hidden
  The journalist has no key and does not trust the database's operator. Every entry is signed
  by its author and chained to the one before it, so `assembly verify` re-derives everything
  from the stored bytes and names the first entry that does not add up.

  Background:
    Given a ledger with a charter key, a secretariat key and a government key
    And the secretariat has recorded 4 events

  Scenario: An untouched ledger verifies
    When the journalist runs assembly verify
    Then the command succeeds
    And it reports 7 entries

  Scenario: A payload changed behind the ledger's back is found
    Given an attacker with database access changed one byte of the event at seq 4
    When the journalist runs assembly verify
    Then verification fails at seq 4

  Scenario: A deleted entry is found even when the attacker re-chains the rest
    Given an attacker with database access deleted the entry at seq 5 and re-chained the rest
    When the journalist runs assembly verify
    Then verification fails at seq 5

  Scenario: A ledger cut short is found against the head seen before
    Given the journalist saved the head after verifying
    And an attacker with database access deleted the last 2 entries
    When the journalist runs assembly verify with the saved head
    Then verification fails at seq 5
