"""Exceptions raised at opennr's public boundary."""

from __future__ import annotations


class ConfigError(ValueError):
    """An impossible or out-of-range configuration.

    The message names the field, the offending value and the rule it breaks, and the clause
    of the specification the rule comes from when there is one.

    Parameters
    ----------
    field : str
        Name of the parameter, as the user spelled it (``"rv"``, ``"n_size_grid"``).
    value : object
        The value that was given.
    rule : str
        What the value must satisfy (``"must be one of 0, 1, 2, 3"``).
    clause : str, optional
        The clause of the specification that sets the rule (``"TS 38.212 §5.4.2.1"``).
    """

    def __init__(self, field: str, value: object, rule: str, clause: str | None = None):
        self.field = field
        self.value = value
        self.rule = rule
        self.clause = clause
        where = f" ({clause})" if clause else ""
        super().__init__(f"{field}={value!r}: {rule}{where}")
