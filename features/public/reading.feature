Feature: A journalist reads the board and follows the signed trail behind every answer
  Reading needs no key. The board comes as JSON, CSV or Markdown for the reader's own tools. The
  trail of a recommendation, a panel or a signer lists every entry with its seq, time, type,
  signer name and role and entry hash, each marked if it verifies on its own, so an entry changed
  behind the ledger's back shows at once. The government's answers export in the very file a
  ministry imports: checking it again finds every row unchanged.

  Background:
    Given recommendations 1/1 to 1/3 of panel 1 were handed over to the government
    And the ministry answered 1/1, 1/2 and 1/3 from a file

  Scenario Outline: The board parses in the format the journalist's tools read
    When the journalist reads the board as <format>
    Then it parses into these rows:
      | ref | title            | portfolio | position          | implementation | verdict | due_review_1 | due_review_2 | overdue |
      | 1/1 | Recommandation 1 | climate   | accepted          | not_started    | none    | 2025-08-01   | 2026-05-01   | yes     |
      | 1/2 | Recommandation 2 | climate   | rejected          | not_applicable | none    | 2025-08-01   | 2026-05-01   | yes     |
      | 1/3 | Recommandation 3 | climate   | under_study       | not_started    | none    | 2025-08-01   | 2026-05-01   | yes     |
      | 1/4 | Recommandation 4 | climate   | awaiting_response | not_started    | none    |              |              | no      |
    And the last change of 1/1, 1/2 and 1/3 is the seq of its answer

    Examples:
      | format |
      | json   |
      | csv    |
      | md     |

  Scenario: The trail of a recommendation shows who signed each step, and that it verifies
    When the journalist follows the trail of 1/2
    Then the trail reads:
      | type                                | name                   | role        | verifies |
      | assembly.recommendation.adopted     | The secretariat (test) | secretariat | yes      |
      | assembly.recommendation.handed_over | The secretariat (test) | secretariat | yes      |
      | assembly.government.responded       | The government (test)  | government  | yes      |
    And its last line is the answer to 1/2
    And each line shows the seq, time and hash the ledger stored for that entry

  Scenario: The trail of a panel covers its draws, its vote and its recommendations, nothing else
    When the journalist follows the trail of panel 1
    Then the trail counts these entries:
      | type                                | count |
      | assembly.panel.convened             | 1     |
      | assembly.draw.invitation_announced  | 1     |
      | assembly.draw.invitation_performed  | 1     |
      | assembly.pool.closed                | 1     |
      | assembly.draw.panel_announced       | 1     |
      | assembly.draw.panel_performed       | 1     |
      | assembly.panel.seated               | 1     |
      | assembly.deliberation.vote_held     | 1     |
      | assembly.recommendation.adopted     | 4     |
      | assembly.recommendation.handed_over | 3     |
      | assembly.government.responded       | 3     |
    And every line of the trail verifies
    And each line shows the seq, time and hash the ledger stored for that entry

  Scenario: The trail of a signer lists exactly what that key signed
    Given the journalist looked up the key id of "The government (test)" with assembly keys list
    When the journalist follows the trail of that key
    Then the trail reads:
      | type                          | name                  | role       | verifies |
      | assembly.government.responded | The government (test) | government | yes      |
      | assembly.government.responded | The government (test) | government | yes      |
      | assembly.government.responded | The government (test) | government | yes      |
    And its lines are the answers to 1/1, 1/2 and 1/3

  Scenario: An answer changed behind the ledger's back no longer verifies
    Given an attacker with database access turned the rejection of 1/2 into an acceptance
    When the journalist follows the trail of 1/2
    Then the answer to 1/2 does not verify: "the stored hash does not match the entry's bytes"
    And every other line of the trail verifies
    And the trail for people warns that the answer to 1/2 does not verify
    And assembly verify fails at the seq of the answer to 1/2

  Scenario: An attacker who re-computes every hash is still caught by the signature
    Given an attacker with database access turned the rejection of 1/2 into an acceptance and re-chained the entries after it
    When the journalist follows the trail of 1/2
    Then the answer to 1/2 does not verify: "the signature does not verify with the signer's enrolled key"
    And every other line of the trail verifies
    And the trail for people warns that the answer to 1/2 does not verify
    And assembly verify fails at the seq of the answer to 1/2

  Scenario: The exported answers are the file a ministry imports, and checking it again changes nothing
    When the journalist exports the answers to "exported.csv"
    Then the export says "Wrote 3 answer(s) to exported.csv."
    And the exported file holds:
      | recommendation | review | position    | portfolio | planned_measures             | decision_date |
      | 1/1            | 1      | accepted    | climate   | A renovation fund from 2026. |               |
      | 1/2            | 1      | rejected    | climate   |                              |               |
      | 1/3            | 1      | under_study | climate   |                              | 2025-12-31    |
    And the exported refusal of 1/2 gives the ministry's justification in full
    When the ministry checks the exported file with a dry run
    Then it says "Dry run: all 3 rows are valid; 0 answer(s) would be written, 3 unchanged. Nothing was written."
    And the ledger holds as many entries as before
