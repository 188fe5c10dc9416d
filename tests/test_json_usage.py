"""Usage errors with ``--format json`` (issue 10's leftover): a bad option, a bad value or a missing file name
prints one JSON document on stdout whose ``error`` is the Chinese message, exit code 2; the Chinese usage text
stays on stderr. Run as a real process, as a script calling xltool would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from xltool.cli import _asks_json


def _run(*args):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "xltool", *args], capture_output=True, timeout=60, env=env)


@pytest.mark.parametrize("args,words", [
    (["check", "--format", "json", "--bogus", "x.xlsx"], "没有这个选项"),
    (["check", "--format=json"], "缺少参数"),
    (["check", "--format", "json", "-j", "x", "x.xlsx"], "值无效"),
    (["--format", "json", "--bogus", "x.xlsx"], "没有这个选项"),
])
def test_usage_error_as_json(args, words):
    res = _run(*args)
    assert res.returncode == 2
    doc = json.loads(res.stdout.decode("utf-8"))
    assert words in doc["error"] and doc["files"] == [] and doc["totals"]["files"] == 0
    err = res.stderr.decode("utf-8")
    assert words in err and "用法" in err


def test_without_json_usage_errors_stay_text():
    res = _run("check", "--bogus", "x.xlsx")
    assert res.returncode == 2 and res.stdout == b""
    assert "没有这个选项" in res.stderr.decode("utf-8")


def test_help_with_json_is_still_help():
    res = _run("check", "--format", "json", "--help")
    assert res.returncode == 0 and "用法" in res.stdout.decode("utf-8")


def test_asks_json():
    assert _asks_json(["check", "--format", "json", "a"]) and _asks_json(["--format=json"])
    assert not _asks_json(["check", "--format", "text"]) and not _asks_json(["json", "--format"])
