"""Exceptions and exit codes, defined in one place."""

from __future__ import annotations

# Exit codes of every xltool command.
EXIT_OK = 0  # no error found
EXIT_FINDINGS = 1  # at least one error found
EXIT_FAILED = 2  # a file or the command could not be processed


class XltoolError(Exception):
    """Base class; ``message`` is Chinese text shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnreadableFile(XltoolError):
    """A file that cannot be processed; the message says why, in Chinese."""


class ProfileError(XltoolError):
    """A malformed or unknown profile; the message names the key."""
