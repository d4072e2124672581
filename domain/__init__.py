"""The assembly's process: the role table now; aggregates, events and rules as they land."""

from domain.roles import ROLE_GRANTS

__all__ = ["ROLE_GRANTS"]
