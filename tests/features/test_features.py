"""Bind every scenario under features/ to the steps in conftest.py."""

from pytest_bdd import scenarios

scenarios(
    "journalist/verify.feature",
    "administrator/keys.feature",
    "secretariat/draws.feature",
    "government/answers.feature",
    "government/bulk_answers.feature",
    "commission/verdicts.feature",
)
