"""Spreadsheet files of the assembly: reading and writing CSV and .xlsx as offices save them,
the bulk files' columns and rows for each kind (answers, implementation reports,
recommendations, verdicts), and checking every row of one against the rules in one session.

A layer of its own, between the interface and the read side, so that the command line
(``assembly import``, ``assembly export``) and the web desk's bulk upload read a file the same
way and refuse the same rows with the same sentences.
"""
