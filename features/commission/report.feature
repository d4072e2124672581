Feature: The commission publishes a report on a panel that anyone can check
  The follow-up commission publishes, for one panel, how many recommendations stand at each
  position, implementation state and verdict, and which answers are overdue and who owes them.
  Every line cites the seq and hash of the ledger entry it rests on, so that a journalist can
  check each claim with assembly trail and assembly verify. This is the report's audit annex
  (assembly annex); the report for the press (assembly report) cites the same entries in words.

  Background:
    Given recommendations 1/1 to 1/3 of panel 1 were handed over to the government
    And the ministry answered 1/2 with "accepted"

  Scenario: The report counts each position and cites the entries it rests on
    When the commission writes the report on panel 1 as csv
    Then the report counts 1 recommendation "accepted" and 3 "awaiting_response"
    And every line of the report cites the hash the ledger holds at its seq

  Scenario: An overdue answer names the portfolio and rests on the hand-over
    When the commission writes the report on panel 1 as csv
    Then the report lists review 1 of 1/1 as overdue for the portfolio "climate"
    And each overdue line cites the hand-over of its recommendation

  Scenario: A report as of an earlier entry counts the later answer as awaited
    When the commission writes the report on panel 1 as csv, as of the entry before the answer
    Then the report counts 0 recommendation "accepted" and 4 "awaiting_response"

  Scenario: The report written to a file is the one shown on screen
    When the commission writes the report on panel 1 as html to "report.html"
    Then the file "report.html" holds the same page as the report shown on screen

  Scenario: A report on a panel without recommendations is refused
    When the commission writes the report on panel 2 as md
    Then the report is refused with the sentence "Panel 2 has no recommendation"
