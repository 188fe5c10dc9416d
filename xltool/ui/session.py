"""What the page works on, without HTTP: batches of uploaded workbooks in a temporary folder.

A batch is one drop on the page: its files are uploaded one by one into ``<batch>/上传/<relative path>``,
then checked together with ``xltool.batch.run`` (so a summary is reconciled with the project forms
dropped with it, as on the command line); the annotated copies go to ``<batch>/核查结果/`` in the same
sub-folders, with the overview ``核查汇总.xlsx`` beside them. The whole temporary folder is removed when
the page server stops. The user's own files are never touched: the browser sends copies.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from xltool import status
from xltool.inputs import EXTENSIONS

MAX_FILE_BYTES = 100 * 1024 * 1024  # one workbook
MAX_BATCH_BYTES = 2 * 1024 * 1024 * 1024  # one drop
MAX_BATCH_FILES = 5000
TEMP_PREFIX = "xltool-page-"
STALE_SECONDS = 24 * 3600  # temporary folders of a page server that was killed, removed at the next start

UPLOADS, RESULTS = "上传", "核查结果"
ZIP_NAME = "核查结果.zip"

# status words shown on the page: the console's and the overview's (xltool.status)
PASSED, ERRORS, WARNINGS, EMPTY, UNREADABLE, UNRECOGNISED = (
    status.WORD[k] for k in (status.OK, status.ERRORS, status.WARNINGS, status.BLANK, status.FAILED, status.UNRECOGNISED))
SEVERITY_CN = {"error": "错误", "warning": "提示", "info": "说明"}


class Refused(Exception):
    """An upload or request the page declines, with a Chinese reason (and an HTTP status)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def is_workbook_name(name: str) -> bool:
    return Path(name).suffix.lower() in EXTENSIONS


def safe_relative(rel: str) -> Path:
    """The relative path a browser gave for a file, made safe to use below a folder of ours."""
    parts = []
    for part in re.split(r"[\\/]+", rel or ""):
        part = re.sub(r'[\x00-\x1f<>:"|?*]', "_", part).strip().rstrip(".")
        if part in ("", ".", ".."):
            continue
        if part.split(".")[0].upper() in _RESERVED:  # device names Windows will not create files under
            part = "_" + part
        parts.append(part[:100])
    if not parts:
        raise Refused("文件名为空，无法接收。")
    return Path(*parts[-8:])


_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass
class Entry:
    """One uploaded file of a batch."""

    index: int
    shown: str  # the relative path as the user knows it
    path: Path
    phase: str = "uploaded"  # uploaded → checked (results known) → done (copy final)
    report: object | None = None
    word: str = ""
    reason: str = ""

    def summary(self) -> dict:
        r = self.report
        out = {"index": self.index, "name": self.shown, "phase": self.phase, "word": self.word,
               "reason": self.reason, "kind": "", "errors": 0, "warnings": 0, "copy": False}
        if r is not None:
            out["kind"] = "、".join(dict.fromkeys(s.title for s in r.kinds))
            out["errors"], out["warnings"] = r.errors, r.warnings
            out["copy"] = self.phase == "done" and bool(r.output) and Path(r.output).is_file()
        return out

    def findings(self) -> dict:
        r = self.report
        rows = []
        notes: list[str] = []
        if r is not None:
            rows = [{"level": SEVERITY_CN.get(f.severity, f.severity), "severity": f.severity,
                     "sheet": f.sheet or "", "cell": f.cell or "", "message": f.message} for f in r.findings]
            notes = list(r.notes)
        return {**self.summary(), "findings": rows, "notes": notes}


def status_word(report) -> tuple[str, str]:
    """(status word, reason) of a checked file, as the page shows it: the word is ``status.key_of``'s, as on
    every other surface (an empty workbook is 未识别, see ``xltool/status.py``); only the reason is the page's."""
    key = status.key_of(report)
    word = status.WORD[key]
    if key == status.UNRECOGNISED:  # read, not damaged: the reason says what was looked for (or that it is empty)
        return word, report.error or "没有找到可识别的预算绩效自评表，未核查。"
    if key == status.FAILED:
        return word, report.error or "无法读取该文件。"
    if key == status.BLANK:
        return word, "表格还没有填写（没有预算数、执行数、得分等数据），没有可核查的内容。"
    if key == status.ERRORS:
        return word, f"错误 {report.errors} 处" + (f"，提示 {report.warnings} 处" if report.warnings else "") + "，详见问题清单或核查副本。"
    if key == status.WARNINGS:
        return word, f"没有错误，有 {report.warnings} 处需要留意，详见问题清单或核查副本。"
    return word, "没有发现错误。"


class Batch:
    """One drop of files: uploaded, then checked together."""

    def __init__(self, bid: str, root: Path, profile):
        self.id = bid
        self.root = root
        self.uploads = root / UPLOADS
        self.results = root / RESULTS
        self.profile = profile
        self.entries: list[Entry] = []
        self.bytes = 0
        self.state = "uploading"  # uploading → checking → done
        self.overview: Path | None = None
        self.message = ""  # a remark about the whole batch (Chinese)
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.zip_path: Path | None = None

    # --- uploading ---
    def target_for(self, rel: str) -> tuple[Path, str]:
        """Where an upload of ``rel`` goes (a second file of the same name gets a numbered name)."""
        if self.state != "uploading":
            raise Refused("这一批文件已经开始核查，不能再添加文件；请重新拖入。", 409)
        rel_path = safe_relative(rel)
        if not is_workbook_name(rel_path.name):
            raise Refused(f"“{rel_path.name}”不是 Excel 工作簿，只能核查 .xlsx、.xlsm、.xls 文件。", 415)
        if len(self.entries) >= MAX_BATCH_FILES:
            raise Refused(f"一次最多核查 {MAX_BATCH_FILES} 个文件，请分批拖入。", 413)
        target = self.uploads / rel_path
        n = 2
        while target.exists():
            target = self.uploads / rel_path.parent / f"{rel_path.stem}（{n}）{rel_path.suffix}"
            n += 1
        return target, target.relative_to(self.uploads).as_posix()

    def receive(self, rel: str, chunks) -> Entry:
        """Store one file from an iterable of byte chunks (bounded in size)."""
        with _Upload(self, rel) as up:
            for chunk in chunks:
                up.write(chunk)
        return up.entry

    async def receive_async(self, rel: str, chunks) -> Entry:
        """``receive`` for an async stream of chunks (the web request's body)."""
        with _Upload(self, rel) as up:
            async for chunk in chunks:
                up.write(chunk)
        return up.entry

    def _check_size(self, size: int, name: str) -> None:
        if size > MAX_FILE_BYTES:
            raise Refused(f"“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，不像是一份自评表，未接收。", 413)
        if self.bytes + size > MAX_BATCH_BYTES:
            raise Refused(f"这一批文件合计超过 {MAX_BATCH_BYTES // (1024 ** 3)} GB，请分批拖入。", 413)

    def _add(self, target: Path, shown: str, size: int) -> Entry:
        with self.lock:
            entry = Entry(len(self.entries), shown, target)
            self.entries.append(entry)
            self.bytes += size
            return entry

    # --- checking ---
    def start(self) -> None:
        with self.lock:
            if self.state != "uploading":
                return
            self.state = "checking"
        self.thread = threading.Thread(target=self._run, name=f"xltool-page-{self.id}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from xltool import batch
        from xltool.report import overview as ov

        batch_self = self

        class Progress(batch.Progress):
            def finished(self, phase, index, report):
                entry = batch_self.entries[index]
                word = status_word(report)
                with batch_self.lock:
                    entry.report = report
                    entry.word, entry.reason = word
                    entry.phase = "checked"

        try:
            jobs = [batch.Job(e.path, e.shown) for e in self.entries]
            warnings: list[str] = []
            reports = batch.run(jobs, self.profile, out_dir=self.results, base=self.uploads, progress=Progress(),
                                warn=warnings.append, keep_records=False) if jobs else []
            self.results.mkdir(parents=True, exist_ok=True)
            overview = None
            if reports:
                overview = ov.write(self.results / ov.NAME, reports, self.profile, inputs=self._scope(),
                                    remarks=warnings)
            with self.lock:
                for entry, report in zip(self.entries, reports):
                    entry.report = report
                    entry.word, entry.reason = status_word(report)
                    entry.phase = "done"
                self.overview = overview
                self.message = "；".join(warnings)
                self.state = "done"
        except Exception as exc:  # never leave the page waiting
            with self.lock:
                for entry in self.entries:
                    if entry.phase != "done":
                        entry.phase = "done"
                        entry.word = entry.word or UNREADABLE
                        entry.reason = entry.reason or "核查过程中发生内部错误，未完成。"
                self.message = f"核查过程中发生内部错误（{type(exc).__name__}: {exc}），请将文件反馈给工具维护人员。"
                self.state = "done"

    def _scope(self) -> list[str]:
        tops = list(dict.fromkeys(e.shown.split("/")[0] for e in self.entries))
        shown = "、".join(tops[:5]) + (f" 等 {len(tops)} 项" if len(tops) > 5 else "")
        return [f"网页上传的 {len(self.entries)} 个文件：{shown}"]

    def status(self) -> dict:
        with self.lock:
            files = [e.summary() for e in self.entries]
            counts = {w: sum(1 for f in files if f["word"] == w) for w in (PASSED, ERRORS, WARNINGS, EMPTY, UNREADABLE, UNRECOGNISED)}
            return {"id": self.id, "state": self.state, "files": files, "counts": counts,
                    "overview": self.overview is not None, "message": self.message,
                    "checked": sum(1 for e in self.entries if e.phase != "uploaded")}

    def entry(self, index: int) -> Entry:
        if not 0 <= index < len(self.entries):
            raise Refused("没有这个文件。", 404)
        return self.entries[index]

    def copy_of(self, index: int) -> Path:
        entry = self.entry(index)
        r = entry.report
        if self.state != "done" or r is None or not r.output or not Path(r.output).is_file():
            raise Refused("该文件没有核查副本（文件无法读取或未识别，或核查尚未完成）。", 404)
        return Path(r.output)

    def zip(self) -> Path:
        """Every annotated copy (in its sub-folder) and the overview, as one zip file."""
        if self.state != "done":
            raise Refused("核查尚未完成，请稍候。", 409)
        with self.lock:
            if self.zip_path is None:
                target = self.root / ZIP_NAME
                tmp = target.with_suffix(".part")
                with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
                    if self.results.is_dir():
                        for path in sorted(self.results.rglob("*")):
                            if path.is_file():
                                zf.write(path, path.relative_to(self.results).as_posix())
                os.replace(tmp, target)
                self.zip_path = target
            return self.zip_path


class _Upload:
    """One file being written into a batch: size-bounded; removed if anything goes wrong; added when complete."""

    def __init__(self, batch: Batch, rel: str):
        self.batch = batch
        self.target, self.shown = batch.target_for(rel)
        self.size = 0
        self.entry: Entry | None = None

    def __enter__(self):
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(self.target, "wb")
        except OSError as exc:  # a path too long for Windows, a full disk …
            raise Refused(f"无法保存“{self.target.name}”：{exc.strerror or exc}。可以把文件放到层级较浅的文件夹后重新拖入。",
                          500) from exc
        return self

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self.batch._check_size(self.size, self.target.name)
        self.fh.write(chunk)

    def __exit__(self, typ, exc, tb):
        self.fh.close()
        if exc is not None:
            self.target.unlink(missing_ok=True)
            return False
        self.entry = self.batch._add(self.target, self.shown, self.size)
        return False


@dataclass
class Workspace:
    """Every batch of one page server, in one temporary folder (removed by ``close``)."""

    profile: object
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix=TEMP_PREFIX)))
    batches: dict[str, Batch] = field(default_factory=dict)

    def __post_init__(self):
        self._lock = threading.Lock()
        _remove_stale(self.root.parent, keep=self.root)

    def new_batch(self) -> Batch:
        with self._lock:
            bid = secrets.token_hex(6)
            root = self.root / bid
            root.mkdir(parents=True)
            self.batches[bid] = b = Batch(bid, root, self.profile)
            _touch(self.root)
            return b

    def batch(self, bid: str) -> Batch:
        b = self.batches.get(bid)
        if b is None:
            raise Refused("这一批文件已不存在（网页服务可能已重新启动），请重新拖入。", 404)
        return b

    def template(self, kind: str) -> Path:
        """A blank template of ``kind`` for the workspace's profile (written once)."""
        from xltool import template as templates

        if kind not in templates.KINDS:
            raise Refused("没有这种模板。", 404)
        folder = self.root / "空白模板"
        target = folder / templates.module(kind).FILE_NAME
        with self._lock:
            if not target.is_file():
                folder.mkdir(parents=True, exist_ok=True)
                templates.build(kind, target, self.profile)
        return target

    def close(self) -> None:
        for b in list(self.batches.values()):
            if b.thread is not None:
                b.thread.join(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)


def templates_list() -> list[dict]:
    from xltool import template as templates

    return [{"kind": kind, "name": templates.module(kind).FILE_NAME.removesuffix(".xlsx"), "description": desc}
            for kind, desc, _ in templates.describe()]


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _remove_stale(folder: Path, keep: Path) -> None:
    """Temporary folders left by a page server that was killed (window closed) long ago."""
    now = time.time()
    try:
        candidates = list(folder.glob(TEMP_PREFIX + "*"))
    except OSError:
        return
    for path in candidates:
        try:
            if path != keep and path.is_dir() and now - path.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass
