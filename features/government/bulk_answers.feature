Feature: A ministry imports many answers at once, all or nothing
  `assembly respond --csv FILE` checks every row (its form, then the rules, in order) before it
  writes anything. One bad row and nothing is written: every bad row is listed with its line
  number and what to fix. A dry run checks without writing; a row already on the ledger is
  reported as unchanged, so importing the same file twice writes nothing the second time.

  Background:
    Given recommendations 1/1 to 1/3 of panel 1 were handed over to the government

  Scenario: A bulk import with one bad row writes nothing
    Given a file of answers to 1/1, 1/2 and 1/3 where row 3 rejects 1/2 without a justification
    When the ministry imports the file
    Then it is refused because "1 bad row(s), nothing was written"
    And the refusal lists row 3 alone: "1/2: A response 'rejected' needs a justification of at least 200 characters"
    And the ledger holds as many entries as before

  Scenario: A dry run writes nothing and says how many answers it would write
    Given a file of good answers to 1/1, 1/2 and 1/3
    When the ministry checks the file with a dry run
    Then it says "all 3 rows are valid; 3 answer(s) would be written, 0 unchanged"
    And the ledger holds as many entries as before

  Scenario: Importing a good file writes every answer, and importing it again writes nothing
    Given a file of good answers to 1/1, 1/2 and 1/3
    When the ministry imports the file
    Then it says "Wrote 3 answer(s); 0 row(s) unchanged."
    And the ledger holds 3 more entries
    When the ministry imports the file
    Then it says "Wrote 0 answer(s); 3 row(s) unchanged."
    And the ledger holds as many entries as before
