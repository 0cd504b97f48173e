"""Typed exceptions; the CLI turns them into one-line messages that say how to fix things."""

from __future__ import annotations


class ReprintsError(Exception):
    """Base class for every error the library raises on purpose."""


class InputError(ReprintsError):
    """Input that cannot be read (with ``--strict``, any problem with the input)."""


class ParameterError(ReprintsError):
    """Parameters that do not fit together, or do not fit a stored index or result."""


class ResultsError(ReprintsError):
    """A results folder or database that is missing, incomplete or of an unknown version."""
