Feature: The follow-up commission sees where every recommendation stands
  The commission's volunteers check what the government does with the panel's recommendations.
  The board keeps three axes apart: the government's position, the implementation and the
  commission's own verdict. Due dates come from the hand-over (3 and 12 months later), extended
  by suspensions; overdue is computed as of the day asked, never stored. Every line names the
  entry (seq) and the signer behind it, and any day or entry of the past can be read again:
  "as of" a day shows what the ledger had recorded by the end of that day.

  Background:
    Given panel 1 handed recommendations 1/1 to 1/4 over to the government on 2026-03-02, but not 1/5
    And on 2026-05-20 the ministry answered 1/1 "accepted" at review 1
    And on 2026-06-10 the ministry answered 1/2 "rejected" at review 1, justified in detail
    And on 2026-07-01 the ministry transferred 1/3 to the "mobility" portfolio
    And on 2026-09-01 the ministry reported 1/1 "in_progress" at 40%: "Call for projects published"
    And on 2026-10-01 the commission gave the verdict "disputes" on 1/2: "The budget figures are not published."

  Scenario: The board shows every recommendation's three axes and due dates at a glance
    When the commission reads the board as of 2026-10-15
    Then the board reads:
      | ref | portfolio | position          | implementation | verdict  | due_review_1 | due_review_2 | overdue |
      | 1/1 | climate   | accepted          | in_progress    | none     | 2026-06-02   | 2027-03-02   | no      |
      | 1/2 | climate   | rejected          | not_applicable | disputes | 2026-06-02   | 2027-03-02   | no      |
      | 1/3 | mobility  | awaiting_response | not_started    | none     | 2026-06-02   | 2027-03-02   | yes     |
      | 1/4 | climate   | awaiting_response | not_started    | none     | 2026-06-02   | 2027-03-02   | yes     |
      | 1/5 | climate   | awaiting_response | not_started    | none     |              |              | no      |
    And the last change of each recommendation is the entry:
      | ref | entry                         |
      | 1/1 | the in_progress report on 1/1 |
      | 1/2 | the verdict on 1/2            |
      | 1/3 | the transfer of 1/3           |

  Scenario Outline: The board keeps only the recommendations a filter asks for
    When the commission reads the board as of 2026-10-15 with <filters>
    Then the board lists <refs>

    Examples:
      | filters                                | refs                       |
      | --panel 1                              | 1/1, 1/2, 1/3, 1/4 and 1/5 |
      | --panel 2                              | nothing                    |
      | --position rejected                    | 1/2                        |
      | --position awaiting_response           | 1/3, 1/4 and 1/5           |
      | --implementation in_progress           | 1/1                        |
      | --verdict disputes                     | 1/2                        |
      | --verdict none                         | 1/1, 1/3, 1/4 and 1/5      |
      | --portfolio mobility                   | 1/3                        |
      | --overdue                              | 1/3 and 1/4                |
      | --overdue --portfolio climate          | 1/4                        |
      | --position accepted --verdict disputes | nothing                    |

  Scenario: A filter with a value the board does not know is refused in one sentence
    When the commission reads the board as of 2026-10-15 with --verdict maybe
    Then the read is refused with exit code 2: "--verdict: 'maybe' is not one of none, agrees, disputes, insufficient_information."

  Scenario: The overdue list says which review is late, by how many days, and whose it is
    When the commission lists what is overdue as of 2026-10-15
    Then the overdue list reads:
      | ref | review | due        | days_late | portfolio |
      | 1/3 | 1      | 2026-06-02 | 135       | mobility  |
      | 1/4 | 1      | 2026-06-02 | 135       | climate   |

  Scenario: After the second review's due date the longest overdue come first
    When the commission lists what is overdue as of 2027-03-10
    Then the overdue list reads:
      | ref | review | due        | days_late | portfolio |
      | 1/3 | 1      | 2026-06-02 | 281       | mobility  |
      | 1/4 | 1      | 2026-06-02 | 281       | climate   |
      | 1/1 | 2      | 2027-03-02 | 8         | climate   |
      | 1/2 | 2      | 2027-03-02 | 8         | climate   |
      | 1/3 | 2      | 2027-03-02 | 8         | mobility  |
      | 1/4 | 2      | 2027-03-02 | 8         | climate   |

  Scenario: One recommendation in full: its answer, its implementation timeline and its verdict
    Given on 2027-01-20 the ministry reported 1/1 "completed" at 100%: "Renovation fund open to every household"
    And on 2027-02-01 the commission gave the verdict "agrees" on 1/1 with a score of 8
    When the commission shows 1/1 as of 2027-02-02
    Then its fields read:
      | field                 | value                       |
      | position              | accepted                    |
      | position_signer       | The government (government) |
      | implementation        | completed                   |
      | implementation_signer | The government (government) |
      | verdict               | agrees                      |
      | verdict_signer        | The commission (commission) |
      | handed_over           | 2026-03-02                  |
      | due_review_1          | 2026-06-02                  |
      | recorded_review_1     | 2026-05-20                  |
      | days_late_review_1    | 0                           |
      | due_review_2          | 2027-03-02                  |
      | days_late_review_2    | 0                           |
    And the seq of each axis is the entry:
      | axis           | entry                         |
      | position       | the answer to 1/1 at review 1 |
      | implementation | the completed report on 1/1   |
      | verdict        | the verdict on 1/1            |
    And its answers read:
      | review | position | portfolio | entry                         | signer                      |
      | 1      | accepted | climate   | the answer to 1/1 at review 1 | The government (government) |
    And its implementation reads:
      | status      | progress | milestone                               | entry                         | signer                      |
      | in_progress | 40       | Call for projects published             | the in_progress report on 1/1 | The government (government) |
      | completed   | 100      | Renovation fund open to every household | the completed report on 1/1   | The government (government) |
    And its verdicts read:
      | verdict | score | entry              | signer                      |
      | agrees  | 8     | the verdict on 1/1 | The commission (commission) |

  Scenario: A refusal is shown with its full justification, and how late it came
    When the commission shows 1/2 as of 2026-10-15
    Then its answers read:
      | review | position | portfolio | entry                         | signer                      |
      | 1      | rejected | climate   | the answer to 1/2 at review 1 | The government (government) |
    And the answer at review 1 gives the ministry's justification in full
    And its fields read:
      | field                       | value                       |
      | due_review_1                | 2026-06-02                  |
      | recorded_review_1           | 2026-06-10                  |
      | answered_days_late_review_1 | 8                           |
      | days_late_review_1          | 0                           |
      | verdict                     | disputes                    |
      | verdict_signer              | The commission (commission) |
    And its verdicts read:
      | verdict  | reasons                               | entry              | signer                      |
      | disputes | The budget figures are not published. | the verdict on 1/2 | The commission (commission) |

  Scenario: An answer dated long before the ledger recorded it is judged by the day it was recorded
    Given on 2026-10-20 the ministry answered 1/4 "accepted" at review 1, dating it 2026-05-29
    When the commission shows 1/4 as of 2026-10-21
    Then its fields read:
      | field                       | value                                                                                                      |
      | due_review_1                | 2026-06-02                                                                                                 |
      | recorded_review_1           | 2026-10-20                                                                                                 |
      | claimed_review_1            | 2026-05-29                                                                                                 |
      | answered_days_late_review_1 | 140                                                                                                        |
      | claimed_days_early_review_1 | 144                                                                                                        |
      | backdated_review_1          | yes                                                                                                        |
      | review_1                    | answered 140 days late (recorded 2026-10-20); its author dated it 2026-05-29, 144 days before the ledger recorded it |
    When the commission lists what is overdue as of 2026-10-19
    Then the overdue list reads:
      | ref | review | due        | days_late |
      | 1/3 | 1      | 2026-06-02 | 139       |
      | 1/4 | 1      | 2026-06-02 | 139       |

  Scenario: As of the day before a late answer the review is overdue; the day after, it is answered
    When the commission reads the board as of 2026-06-09
    Then 1/2 stands at "awaiting_response", overdue
    And 1/1 stands at "accepted", not overdue
    When the commission lists what is overdue as of 2026-06-09
    Then the overdue list reads:
      | ref | review | due        | days_late |
      | 1/2 | 1      | 2026-06-02 | 7         |
      | 1/3 | 1      | 2026-06-02 | 7         |
      | 1/4 | 1      | 2026-06-02 | 7         |
    When the commission reads the board as of 2026-06-11
    Then 1/2 stands at "rejected", not overdue

  Scenario: Read after a given entry, the board shows what the ledger held then
    When the commission shows 1/2 at the entry just before the answer to 1/2 at review 1
    Then it stands at "awaiting_response" with 0 answers, as of 2026-05-20
    When the commission shows 1/2 at the answer to 1/2 at review 1
    Then it stands at "rejected" with 1 answer, as of 2026-06-10
    When the commission reads the board at the entry just before the answer to 1/2 at review 1
    Then 1/2 stands at "awaiting_response", not overdue
    When the commission reads the board at the answer to 1/2 at review 1
    Then 1/2 stands at "rejected", not overdue
    And the last change of each recommendation is the entry:
      | ref | entry                         |
      | 1/2 | the answer to 1/2 at review 1 |

  Scenario: A revised answer at the second review keeps the first one visible
    Given on 2027-02-15 the ministry answered 1/2 "accepted_in_part" at review 2, justified in detail
    When the commission shows 1/2 as of 2027-02-16
    Then its fields read:
      | field             | value            |
      | position          | accepted_in_part |
      | recorded_review_1 | 2026-06-10       |
      | recorded_review_2 | 2027-02-15       |
    And the seq of each axis is the entry:
      | axis     | entry                         |
      | position | the answer to 1/2 at review 2 |
    And its answers read:
      | review | position         | entry                         | signer                      |
      | 1      | rejected         | the answer to 1/2 at review 1 | The government (government) |
      | 2      | accepted_in_part | the answer to 1/2 at review 2 | The government (government) |
    And the answer at review 1 gives the ministry's justification in full
    And the answer at review 2 gives the ministry's justification in full
    When the commission shows 1/2 as of 2027-02-14
    Then it stands at "rejected" with 1 answer, as of 2027-02-14

  Scenario: A suspension of the deadlines moves the due dates while it lasts
    Given on 2026-11-01 the ministry suspended the deadlines from 2026-11-01: "Regional elections"
    And on 2026-12-01 the ministry resumed the deadlines
    When the commission reads the board as of 2026-10-31
    Then the due dates of 1/4 are 2026-06-02 and 2027-03-02
    When the commission reads the board as of 2026-11-15
    Then the due dates of 1/4 are 2026-06-02 and 2027-03-16
    When the commission reads the board as of 2026-12-15
    Then the due dates of 1/4 are 2026-06-02 and 2027-04-01
    And the due dates of 1/5 are not set
    When the commission lists what is overdue as of 2027-03-10
    Then the overdue list reads:
      | ref | review | due        |
      | 1/3 | 1      | 2026-06-02 |
      | 1/4 | 1      | 2026-06-02 |
