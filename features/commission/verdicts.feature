Feature: The follow-up commission gives its verdict on each answer
  The commission, drawn from the panel's members, says with its own key whether it agrees with
  what the government did about a recommendation. A verdict that disputes it must say why.

  Background:
    Given recommendations 1/1 to 1/3 of panel 1 were handed over to the government
    And the ministry answered 1/1 with "accepted"

  Scenario: The commission records a verdict
    When the commission gives the verdict "agrees" on 1/1 with a score of 8
    Then the entry "assembly.commission.assessed" is written
    And the ledger holds 1 more entry

  Scenario: A dispute without reasons is refused
    When the commission gives the verdict "disputes" on 1/1 without reasons
    Then it is refused because "A verdict 'disputes' needs the commission's reasons."
    And the ledger holds as many entries as before

  Scenario: The government may not give the commission's verdict
    When the ministry gives the verdict "agrees" on 1/1 with its own key
    Then it is refused because "has role 'government', which may not write assembly.commission.assessed"
    And the ledger holds as many entries as before
