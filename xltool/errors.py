"""Exceptions and exit codes, defined in one place.

Exit codes of ``check``: 0 when every file was checked and no error was found (warnings and 空表 included);
1 when an error was found in a checked file; 2 when a file could not be checked, or the command itself
failed. "Could not be checked" covers both 无法读取 (damaged, encrypted, not Excel, too large) and 未识别
(the workbook was read but holds no self-evaluation table, so nothing in it was checked). A 未识别 file
keeps exit 2 on purpose: 0 or 1 would tell a script that the whole folder was checked when one file was
not, and a stray attachment in a folder of submissions is something the reviewer must look at (is it a
self-evaluation table whose header we did not recognise, or a file that should not be there?). The
console, the overview and the JSON tell the two kinds apart, the exit code does not need to.
"""

from __future__ import annotations

# Exit codes of every xltool command.
EXIT_OK = 0  # no error found
EXIT_FINDINGS = 1  # at least one error found
EXIT_FAILED = 2  # a file could not be checked (无法读取 or 未识别), or the command failed


class XltoolError(Exception):
    """Base class; ``message`` is Chinese text shown to the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnreadableFile(XltoolError):
    """A file that cannot be processed; the message says why, in Chinese."""


class ProfileError(XltoolError):
    """A malformed or unknown profile; the message names the key."""


class Unrecognised(XltoolError):
    """A workbook that was read but holds no table this tool checks (not a self-evaluation workbook, or
    one whose header was not recognised); the message says what was looked for, in Chinese. Not a
    subclass of ``UnreadableFile``: the file is not damaged, and its status is 未识别, not 无法读取."""
