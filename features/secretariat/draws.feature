Feature: The secretariat draws a panel that anyone can draw again
  Before the public random value exists, the secretariat commits to the volunteers who answered
  the letters, to the quota table and to a portfolio of panels that all meet the quotas; the
  value then picks one panel. Anyone holding the published files re-runs the pick with
  `assembly draw verify`, without a solver, and reaches exactly the panel on the ledger, or is
  told which file does not match it.

  Scenario: The secretariat draws and re-verifies a panel
    Given the invitation letters of panel 1 were drawn
    When the secretariat closes the pool of volunteers
    And the secretariat announces the panel draw with a portfolio of 20 panels
    And the secretariat performs the draw once the public value is published
    And a journalist re-runs the panel draw from the published files
    Then the draw verifies
    And it names the 12 members the ledger recorded

  Scenario Outline: A published file that was changed does not verify
    Given panel 1 was drawn and seated
    And the published files were changed: <corruption>
    When a journalist re-runs the <stage> draw from the published files
    Then the draw does not verify because "<mismatch>"

    Examples:
      | corruption             | stage      | mismatch                                                                   |
      | pool_value_changed     | panel      | The commitment root of the pool file and its salts does not match          |
      | quota_widened          | panel      | Line 2 of the quota file does not match                                    |
      | address_moved          | invitation | The number of addresses in Schaerbeek does not match                       |
      | address_replaced       | invitation | The commitment root of the register file and its salts does not match      |
      | picked_panel_replaced  | panel      | The portfolio file digest does not match                                   |
      | another_portfolio      | panel      | The portfolio file digest does not match                                   |
