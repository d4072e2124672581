Feature: The commission compares a panel with its quotas, its pool and the population
  For each stratum (a feature and one of its values) the commission reads the quota the panel
  draw was announced with, how many members were drawn and are seated, the volunteer pool's
  count and share, and the population share the quota file gave. What the ledger does not hold
  is said, never shown as zero: a small pool cell is suppressed, a missing share is unknown.

  Scenario: The panel as drawn, stratum by stratum
    Given panel 1 was drawn and seated
    When the commission asks for the composition of panel 1
    Then each stratum shows its quota and the members drawn, as counted in the published pool file
    And the population share of every stratum is "unknown"

  Scenario: Before the panel draw was performed, nobody is drawn yet
    Given panel 1 was drawn and seated
    When the commission asks for the composition of panel 1 as of the entry before its panel draw
    Then each stratum shows its quota and no members drawn

  Scenario: Population shares from the quota file, and a small pool cell kept hidden
    Given panel 1 was drawn with population shares and two volunteers of education "none"
    When the commission asks for the composition of panel 1
    Then the population share of education "none" is 10000 ppm
    And the pool count of education "none" is "suppressed"

  Scenario: A panel that was never convened has no composition
    Given panel 1 was drawn and seated
    When the commission asks for the composition of panel 2
    Then it is told as a usage error "Panel 2 has not been convened."
