Feature: A ministry answers the panel's recommendations
  Once a recommendation is handed over, the government records its position with its own key.
  A refusal must be explained in detail: at least the charter's minimum length, 200 characters
  here. A refused answer leaves the ledger exactly as it was.

  Background:
    Given recommendations 1/1 to 1/3 of panel 1 were handed over to the government

  Scenario: A ministry answers
    When the ministry answers 1/1 with "accepted"
    Then the entry "assembly.government.responded" is written
    And the ledger holds 1 more entry

  Scenario: A ministry answers and is refused without a justification
    When the ministry answers 1/2 with "rejected", justified by "Too expensive."
    Then it is refused because "needs a justification of at least 200 characters (this one has 14)"
    And the ledger holds as many entries as before

  Scenario: A refusal explained in detail is recorded
    When the ministry answers 1/2 with "rejected", justified in detail
    Then the entry "assembly.government.responded" is written
    And the ledger holds 1 more entry
