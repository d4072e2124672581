Feature: A journalist checks today's bundle of the ledger against last month's
  The journalist takes the ledger away as a bundle: every entry, the log's signed checkpoint,
  the signers and the event schemas. `assembly verify-bundle` checks it without the database
  and without trusting whoever handed it over, and remembers the checkpoint it accepted: the
  next bundle must extend it, so a log that rewrites its history is caught, and told where.

  Background:
    Given last month's bundle of a log of 7 entries, which the journalist verified

  Scenario: Today's checkpoint extends last month's
    Given today's bundle of the same log, grown to 9 entries
    When the journalist verifies today's bundle
    Then the consistency check passes
    And the verifier now remembers today's checkpoint

  Scenario: A rewritten history is refused, and the report says where
    Given today's bundle of the log with its history rewritten from seq 5
    When the journalist verifies today's bundle
    Then the consistency check fails at seq 5
    And the misbehaviour report holds both signed checkpoints
    And the verifier still remembers last month's checkpoint
