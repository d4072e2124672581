Feature: A new user's first hour, as the README writes it
  A first cycle from scratch, in an empty folder, run from the commands of the README's section
  "Your first hour", read from the README itself: when a command there stops working, or the
  README drifts from what works, this feature fails.

  Scenario: From an empty folder to a verified board
    Given an empty folder with the register, the pool and the quotas the secretariat publishes
    When the charter holder runs the README's first block
    Then init named the next commands as the README runs them
    And the secretariat, the government and the commission hold enrolled keys
    When the secretariat runs the README's second block
    Then panel 1 has its 12 pseudonyms seated
    When the offices run the README's third block
    Then the board shows recommendation 1/1 accepted
    And every command of the section ran, the last one verifying the ledger
