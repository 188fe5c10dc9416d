"""A large worksheet is proven well-formed beside calamine's read, in a second process (``scan.Proof``): every
malformed part is still a damaged file, named, with nothing reported as checked and no copy written —
with and without ``--no-write`` — and the inputs are left untouched. The mutations are test_hostile2's."""

from __future__ import annotations

import hashlib

import pytest

import badfiles as bf
from builders import clean_rows, write_summary
from test_hostile2 import _MUTATIONS
from xltool import profiles
from xltool.engine import check_file
from xltool.io import book as bookmod
from xltool.io import scan


@pytest.fixture
def deferred(monkeypatch):
    """Every worksheet goes through the proof thread; the list of proven parts is recorded."""
    monkeypatch.setattr(scan, "DEFER_BYTES", 0)
    proven = []
    real = scan.Proof.__init__

    def spy(self, path, parts, *rest):
        proven.extend(parts)
        real(self, path, parts, *rest)

    monkeypatch.setattr(scan.Proof, "__init__", spy)
    return proven


@pytest.mark.parametrize("write", [True, False], ids=["copy", "no-write"])
@pytest.mark.parametrize("mutation", sorted(_MUTATIONS))
def test_malformed_large_sheet_is_a_damaged_file(tmp_path, mutation, write, deferred):
    good = write_summary(tmp_path / "good.xlsx", clean_rows())
    bad = bf.rewrite_zip(good, tmp_path / "bad.xlsx",
                         transform=lambda n, d: _MUTATIONS[mutation](d) if n == "xl/worksheets/sheet1.xml" else d)
    before = hashlib.sha256(bad.read_bytes()).hexdigest()
    r = check_file(bad, profiles.load(), out_dir=tmp_path / "out", write=write)
    assert deferred == ["xl/worksheets/sheet1.xml"]
    assert r.status == "failed" and "损坏" in r.error and "sheet1.xml" in r.error, r.error
    assert "内部错误" not in r.error and r.output is None and not r.findings
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == before


def test_well_formed_large_sheet_reads_as_before(tmp_path, deferred, monkeypatch):
    src = write_summary(tmp_path / "good.xlsx", clean_rows())
    prof = profiles.load()
    proven = check_file(src, prof, write=False)
    assert deferred == ["xl/worksheets/sheet1.xml"]
    monkeypatch.setattr(scan, "DEFER_BYTES", 1 << 40)
    direct = check_file(src, prof, write=False)
    assert proven.to_json() == direct.to_json() and proven.status != "failed"


def test_the_proof_is_waited_for_even_when_the_reader_fails(tmp_path, deferred, monkeypatch):
    """calamine giving up on a malformed part must not hide the damaged-part message (nor leave the thread)."""
    bad = bf.rewrite_zip(write_summary(tmp_path / "good.xlsx", clean_rows()), tmp_path / "bad.xlsx",
                         transform=lambda n, d: _MUTATIONS["mismatched"](d) if n == "xl/worksheets/sheet1.xml" else d)

    def boom(*a, **k):
        raise RuntimeError("reader failed")

    monkeypatch.setattr(bookmod, "_read", boom)
    r = check_file(bad, profiles.load(), write=False)
    assert r.status == "failed" and "sheet1.xml" in r.error and "不是完整有效的 XML" in r.error, r.error


@pytest.mark.parametrize("how", ["no-process", "process-killed"])
def test_the_proof_holds_without_its_process(tmp_path, deferred, monkeypatch, how):
    """The proof runs in a second process; where none can be started (a thread proves instead) or it ends without
    an answer (killed, out of memory: the parts are proven again here), a malformed part is still found and a
    good one still reads."""
    import subprocess

    if how == "no-process":
        def popen(*a, **k):
            raise OSError("no process")
    else:
        real = subprocess.Popen

        def popen(args, **k):
            return real([args[0], "-c", "import sys; sys.exit(9)"], **k)

    monkeypatch.setattr(subprocess, "Popen", popen)
    good = write_summary(tmp_path / "good.xlsx", clean_rows())
    bad = bf.rewrite_zip(good, tmp_path / "bad.xlsx",
                         transform=lambda n, d: _MUTATIONS["mismatched"](d) if n == "xl/worksheets/sheet1.xml" else d)
    prof = profiles.load()
    r = check_file(bad, prof, write=False)
    assert r.status == "failed" and "sheet1.xml" in r.error and "不是完整有效的 XML" in r.error, r.error
    assert check_file(good, prof, write=False).status != "failed"
