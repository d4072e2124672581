Feature: Administrators sign with keys the charter enrolled
  Each office writes with its own key and only the events of its role; a revoked key writes
  nothing more, and a refused write leaves the ledger as it was.

  Background:
    Given a ledger with a charter key, a secretariat key and a government key

  Scenario: The government answers with its own key
    When the government appends a response
    Then the ledger holds 4 entries

  Scenario: The secretariat may not answer for the government
    When the secretariat appends a response
    Then the append is refused because the role may not write it
    And the ledger holds 3 entries

  Scenario: A revoked key writes nothing more
    Given the charter revoked the government key
    When the government appends a response
    Then the append is refused because the key was revoked
    And the ledger holds 4 entries
