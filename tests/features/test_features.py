"""Bind every scenario under features/ to the steps in conftest.py."""

from pytest_bdd import scenarios

scenarios("journalist/verify.feature", "administrator/keys.feature")
