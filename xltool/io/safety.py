"""Safety gate: identify a workbook by its content and refuse hostile files.

Every workbook that xltool reads passes through :func:`sniff` first.  The
files come by mail or USB stick from many hands, so the gate assumes nothing:

* the type is decided by the file's *content* (magic bytes and internal
  structure), never by its extension -- an ``.xlsx`` that is really a legacy
  ``.xls`` and an ``.xls`` that is really a ZIP workbook both work;
* ZIP workbooks are checked against :class:`Limits` using the sizes declared
  in the central directory *before* any part is decompressed ("zip bombs"),
  and every XML part is refused if its first 4 KiB carry a DTD
  (``<!DOCTYPE`` / ``<!ENTITY``: "billion laughs", external entities);
* OLE2 compound files are told apart by a small, bounded reader of the
  compound-file directory: legacy ``.xls`` (a ``Workbook``/``Book`` stream),
  password-encrypted OOXML (``EncryptionInfo`` + ``EncryptedPackage``), Word
  and PowerPoint documents;
* anything else gets a kind Chinese message naming what the file looks like
  (PDF, web page, CSV/text, image, archive, ...).

Every refusal is an :class:`~xltool.errors.UnreadableFile` whose ``message``
is Chinese and says what the user can do.  The file is only ever opened for
reading.

Declared sizes can lie, so readers that decompress parts themselves should
use :func:`read_member`, which streams a member and stops as soon as it
exceeds a limit.  (Python's :mod:`zipfile` already stops a member at its
declared size and then fails the CRC check, so a lying size yields a
"damaged" error rather than unbounded output; :func:`read_member` adds a
hard cap that does not depend on that detail.)
"""

from __future__ import annotations

import codecs
import lzma
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from xltool.errors import UnreadableFile

__all__ = [
    "DEFAULT_LIMITS",
    "CfbEntry",
    "Limits",
    "cfb_top_level_entries",
    "cfb_top_level_names",
    "check_declared_sizes",
    "iter_member",
    "read_member",
    "read_member_head",
    "sniff",
    "xml_head_problem",
]

MiB = 1024**2


@dataclass(frozen=True)
class Limits:
    """Bounds applied to ZIP workbooks before anything is decompressed."""

    #: total declared uncompressed bytes of all zip members
    max_uncompressed: int = 512 * MiB
    #: declared uncompressed bytes of any one member
    max_member: int = 256 * MiB
    #: uncompressed/compressed ratio of one member; only checked for members
    #: over 1 MiB uncompressed (small XML parts legitimately reach 100:1+)
    max_ratio: float = 200.0
    #: number of members (central-directory entries)
    max_members: int = 10000


DEFAULT_LIMITS = Limits()

#: members at or below this size are exempt from the ratio check
RATIO_MIN_SIZE = 1 * MiB
#: how much of each XML part is inspected for a DTD
XML_HEAD_BYTES = 4096
#: central-directory bytes allowed per permitted member before zipfile parses
#: the directory (bounds the memory zipfile spends on ZipInfo objects)
_CD_BYTES_PER_MEMBER = 256

ZIP_MAGIC = b"PK\x03\x04"
_ZIP_OTHER_MAGICS = (b"PK\x05\x06", b"PK\x07\x08")  # empty / spanned archive
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

MACRO_CONTENT_TYPE_MARK = "macroenabled.main+xml"  # compared lower-case
XLSM_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

# --------------------------------------------------------------------------
# Messages (Chinese, shown to the user as-is)
# --------------------------------------------------------------------------

MSG_MISSING = "找不到该文件：路径不存在。请确认文件名和位置是否正确（文件可能已被移动、重命名或删除）。"
MSG_DIRECTORY = "该路径是一个文件夹，而不是文件。请选择文件夹中的 Excel 工作簿（.xlsx / .xlsm / .xls）。"
MSG_NOT_REGULAR = "该路径不是普通文件（可能是设备或管道），无法作为 Excel 工作簿读取。"
MSG_PERMISSION = (
    "没有读取该文件的权限，无法打开。请检查文件权限；如文件正被其他程序占用，"
    "请先关闭该程序，或将文件复制到自己的文件夹后再试。"
)
MSG_OS_ERROR = (
    "读取文件时发生系统错误，无法打开。请确认 U 盘、移动硬盘或网络位置可以正常访问，"
    "或将文件复制到本机后再试。"
)
MSG_EMPTY = "文件为空（0 字节），可能在复制或下载时中断，请重新获取该文件。"
MSG_DAMAGED = (
    "文件已损坏或不完整（{what}），可能在复制、下载或邮件传输时中断。"
    "请让报送单位在 Excel 中重新保存，或重新获取该文件后再检查。"
)
MSG_BOMB = (
    "解压后体积异常（约 {mb} MB{detail}），疑似“压缩炸弹”，为安全起见不予处理。"
    "正常的预算表解压后通常只有几 MB；如确认文件来源可靠，请在 Excel 中删除多余内容、"
    "重新保存后再检查。"
)
MSG_TOO_MANY_MEMBERS = (
    "文件内部结构异常：包含的部件过多（{count}），超出安全上限 {limit} 个，"
    "疑似恶意构造的文件，为安全起见不予处理。"
)
MSG_XML_DTD = (
    "文件内部的 XML 部件（{name}）含有 XML 实体声明（DOCTYPE/ENTITY），"
    "这是一种已知的攻击手法（如“十亿笑声”攻击），为安全起见不予处理。"
    "正常的 Excel/WPS 文件不会包含此类内容，请向报送单位核实文件来源。"
)
MSG_XML_PROLOG = (
    "文件内部的 XML 部件（{name}）开头异常（前 4 KB 内找不到正文），无法确认其安全性，"
    "为安全起见不予处理。文件可能已损坏或被特意构造，请重新获取或在 Excel 中重新保存后再检查。"
)
MSG_ENCRYPTED = (
    "文件设有打开密码（已加密），无法读取。请在 Excel 中打开后依次点击"
    "“文件 → 信息 → 保护工作簿 → 用密码进行加密”，清空密码后保存；"
    "WPS：“文件 → 文档加密 → 密码加密”，清空打开密码后保存，再重新检查。"
)
MSG_XLSB = (
    "该文件是 Excel 二进制工作簿（.xlsb），本工具暂不支持。"
    "请用 Excel 打开后“另存为” .xlsx 格式，再检查。"
)
MSG_OOXML_NO_WORKBOOK = (
    "该文件是 Office 文档格式，但其中没有 Excel 工作簿内容（缺少 xl/workbook.xml），"
    "可能不是表格文件或已损坏。请确认是否发错了文件，或在 Excel 中重新保存后再检查。"
)
MSG_MISSING_CONTENT_TYPES = "缺少 [Content_Types].xml"

_ADVICE_RESAVE = "请用 Excel 或 WPS 打开后“另存为” .xlsx 格式，再检查。"
_ADVICE_ASK_ORIGINAL = "请确认是否发错了文件，并向报送单位索取 Excel 格式的表格。"
_ADVICE_UNZIP = "请先解压，再检查其中的 Excel 文件。"

#: extensions under which a user expects a spreadsheet
_SPREADSHEET_EXTS = {
    ".xlsx", ".xlsm", ".xls", ".xlt", ".xltx", ".xltm", ".xlsb", ".et", ".ett",
}


def _not_excel(path: Path, what: str, advice: str) -> UnreadableFile:
    """'Not a workbook' error naming what the content really is."""
    if what[:1].isascii() and what[:1].isalnum():
        what = " " + what  # a space between Chinese and Latin text
    ext = path.suffix
    if ext and ext.lower() in _SPREADSHEET_EXTS:
        text = f"该文件扩展名为 {ext}，但内容实为{what}，并不是 Excel 工作簿。{advice}"
    else:
        text = f"该文件是{what}，不是 Excel 工作簿。{advice}"
    return UnreadableFile(text)


def _damaged(what: str) -> UnreadableFile:
    return UnreadableFile(MSG_DAMAGED.format(what=what))


def _mb(nbytes: int) -> int:
    return max(1, round(nbytes / MiB))


def _bomb(nbytes: int, detail: str = "") -> UnreadableFile:
    return UnreadableFile(MSG_BOMB.format(mb=_mb(nbytes), detail=detail))


def _show_name(name: str) -> str:
    """A member name made safe and short enough to show in a message."""
    s = "".join(ch if ch.isprintable() else "?" for ch in name)
    return s if len(s) <= 80 else s[:77] + "…"


# --------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------


def sniff(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    """Identify a workbook by content: ``"xlsx"``, ``"xlsm"`` or ``"xls"``.

    Raises :class:`UnreadableFile` (Chinese ``message``) for anything that
    is missing, unreadable, empty, damaged, hostile, encrypted or simply not
    an Excel workbook.  Never writes to the file.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UnreadableFile(MSG_MISSING) from None
    except NotADirectoryError:  # a parent component is a file
        raise UnreadableFile(MSG_MISSING) from None
    except PermissionError:
        raise UnreadableFile(MSG_PERMISSION) from None
    except (OSError, ValueError):
        raise UnreadableFile(MSG_OS_ERROR) from None
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFile(MSG_DIRECTORY)
    if not stat.S_ISREG(st.st_mode):  # opening a FIFO would block
        raise UnreadableFile(MSG_NOT_REGULAR)
    if st.st_size == 0:
        raise UnreadableFile(MSG_EMPTY)

    try:
        f = _open_binary(path)
    except FileNotFoundError:
        raise UnreadableFile(MSG_MISSING) from None
    except PermissionError:
        raise UnreadableFile(MSG_PERMISSION) from None
    except OSError:
        raise UnreadableFile(MSG_OS_ERROR) from None
    with f:
        try:
            size = f.seek(0, 2)
            f.seek(0)
            head = f.read(8)
        except OSError:
            raise UnreadableFile(MSG_OS_ERROR) from None
        if not head:
            raise UnreadableFile(MSG_EMPTY)  # emptied since stat()
        if head.startswith(ZIP_MAGIC) or head[:4] in _ZIP_OTHER_MAGICS:
            return _sniff_zip(f, size, path, limits)
        if head == OLE_MAGIC:
            return _sniff_ole(f, size, path)
        if len(head) < 8 and (ZIP_MAGIC.startswith(head) or OLE_MAGIC.startswith(head)):
            raise _damaged("文件过短")
        try:
            f.seek(0)
            sample = f.read(8192)
        except OSError:
            raise UnreadableFile(MSG_OS_ERROR) from None
        raise _describe_other(sample, path)


def _open_binary(path: Path) -> BinaryIO:
    """Open read-only (a seam for tests that simulate permission errors)."""
    return open(path, "rb")


# --------------------------------------------------------------------------
# ZIP (OOXML) workbooks
# --------------------------------------------------------------------------

#: exceptions that zipfile/zlib raise on damaged or hostile archives
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    struct.error,
    ValueError,  # includes UnicodeDecodeError of member names
    OverflowError,
    OSError,  # bz2 errors, seeks past the end
    RuntimeError,  # encrypted members
    NotImplementedError,  # unsupported compression method
    KeyError,
    IndexError,
)


def _sniff_zip(f: BinaryIO, size: int, path: Path, limits: Limits) -> str:
    _precheck_central_directory(f, size, limits)
    try:
        zf = zipfile.ZipFile(f)
    except _ZIP_ERRORS:
        raise _damaged("ZIP 结构无法读取") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise UnreadableFile(
                MSG_TOO_MANY_MEMBERS.format(count=f"{len(infos)} 个", limit=limits.max_members)
            )
        check_declared_sizes(infos, limits)
        by_lower = {i.filename.lower(): i for i in infos}
        try:
            _require_workbook_parts(zf, by_lower, path)
            _refuse_xml_with_dtd(zf, infos)
            return "xlsm" if _is_macro_enabled(zf, by_lower, limits) else "xlsx"
        except _ZIP_ERRORS:  # odd entries zipfile trips over (e.g. empty names)
            raise _damaged("ZIP 结构无法读取") from None


def _precheck_central_directory(f: BinaryIO, size: int, limits: Limits) -> None:
    """Bound the central directory before :class:`zipfile.ZipFile` parses it.

    Mirrors zipfile's own lookup of the end-of-central-directory record
    (including the ZIP64 record) and refuses archives whose directory is too
    large for ``limits.max_members``, so a tiny file cannot make zipfile
    build hundreds of thousands of ZipInfo objects.  Anything malformed is
    left for zipfile to report.
    """
    tail_len = min(size, 22 + 65535)
    try:
        f.seek(size - tail_len)
        tail = f.read(tail_len)
    except OSError:
        raise UnreadableFile(MSG_OS_ERROR) from None
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        raise _damaged("找不到 ZIP 目录，文件可能被截断")
    entries, cd_size = struct.unpack_from("<HL", tail, pos + 10)
    eocd_at = size - tail_len + pos
    if eocd_at >= 20 + 56:
        try:
            f.seek(eocd_at - 20)
            locator = f.read(20)
            if locator[:4] == b"PK\x06\x07":
                f.seek(eocd_at - 20 - 56)
                rec = f.read(56)
                if len(rec) == 56 and rec[:4] == b"PK\x06\x06":
                    entries, cd_size = struct.unpack_from("<QQ", rec, 32)
        except OSError:
            raise UnreadableFile(MSG_OS_ERROR) from None
    if entries > limits.max_members:
        raise UnreadableFile(
            MSG_TOO_MANY_MEMBERS.format(count=f"声明 {entries} 个", limit=limits.max_members)
        )
    if min(cd_size, size) > limits.max_members * _CD_BYTES_PER_MEMBER:
        raise UnreadableFile(
            MSG_TOO_MANY_MEMBERS.format(
                count=f"目录约 {max(1, cd_size // 1024)} KB", limit=limits.max_members
            )
        )


def check_declared_sizes(infos: list[zipfile.ZipInfo], limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse an archive whose *declared* sizes exceed ``limits``.

    Uses only central-directory data (``file_size`` / ``compress_size``), so
    it costs nothing however large the sizes claim to be.
    """
    total = sum(info.file_size for info in infos)
    for info in infos:
        usize = info.file_size
        if usize > limits.max_member:
            raise _bomb(total, f"，其中单个部件约 {_mb(usize)} MB")
        if usize > RATIO_MIN_SIZE:
            ratio = usize / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise _bomb(total, f"，其中个别部件压缩比约 {ratio:.0f}:1")
    if total > limits.max_uncompressed:
        raise _bomb(total)


def _require_workbook_parts(
    zf: zipfile.ZipFile, by_lower: dict[str, zipfile.ZipInfo], path: Path
) -> None:
    """Raise unless the archive has the parts of an Excel workbook.

    Names are compared case-insensitively (OPC part names are).
    """
    has_ct = "[content_types].xml" in by_lower
    if "xl/workbook.xml" in by_lower:
        if not has_ct:
            raise _damaged(MSG_MISSING_CONTENT_TYPES)
        return
    names = list(by_lower)
    if "xl/workbook.bin" in by_lower:
        raise UnreadableFile(MSG_XLSB)
    if any(n.startswith("word/") for n in names):
        raise _not_excel(path, "Word 文档（.docx）", _ADVICE_ASK_ORIGINAL)
    if any(n.startswith("ppt/") for n in names):
        raise _not_excel(path, "PowerPoint 演示文稿（.pptx）", _ADVICE_ASK_ORIGINAL)
    mimetype = by_lower.get("mimetype")
    if mimetype is not None:
        kind = read_member(zf, mimetype, 256)
        if b"opendocument.spreadsheet" in kind:
            raise _not_excel(path, "OpenDocument 表格（.ods）", _ADVICE_RESAVE)
        if b"opendocument" in kind:
            raise _not_excel(path, "OpenDocument 文档（.odt/.odp 等）", _ADVICE_ASK_ORIGINAL)
    if has_ct:
        raise UnreadableFile(MSG_OOXML_NO_WORKBOOK)
    inner = [n for n in names if n.endswith((".xlsx", ".xlsm", ".xls", ".et"))]
    if inner:
        raise _not_excel(path, f"ZIP 压缩包（内含 {len(inner)} 个表格文件）", _ADVICE_UNZIP)
    raise _not_excel(path, "ZIP 压缩包", _ADVICE_UNZIP)


def _is_macro_enabled(
    zf: zipfile.ZipFile, by_lower: dict[str, zipfile.ZipInfo], limits: Limits
) -> bool:
    if "xl/vbaproject.bin" in by_lower:
        return True
    ct_info = by_lower["[content_types].xml"]
    data = read_member(zf, ct_info, min(limits.max_member, 16 * MiB))
    from xml.parsers.expat import ExpatError

    from xltool.io.xmlparts import DtdRefused, elements

    try:
        found = elements(data)
    except DtdRefused:
        raise UnreadableFile(MSG_XML_DTD.format(name=_show_name(ct_info.filename))) from None
    except (ExpatError, ValueError):
        raise _damaged("[Content_Types].xml 无法解析") from None
    for _, attrs in found:
        ctype = attrs.get("ContentType")
        if ctype and MACRO_CONTENT_TYPE_MARK in ctype.lower():
            return True
    return False


# ---- streaming member reads ----------------------------------------------


def iter_member(
    zf: zipfile.ZipFile,
    member: str | zipfile.ZipInfo,
    limit: int,
    *,
    chunk_size: int = 64 * 1024,
) -> Iterator[bytes]:
    """Yield a member's decompressed bytes in chunks, never more than ``limit``.

    Raises :class:`UnreadableFile` as soon as the output would exceed
    ``limit`` (whatever the central directory declares), and for damaged
    data.  Memory use is one chunk.
    """
    try:
        info = member if isinstance(member, zipfile.ZipInfo) else zf.getinfo(member)
        if info.file_size > limit:
            raise _bomb(info.file_size, "，单个部件超出读取上限")
        seen = 0
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(min(chunk_size, limit + 1 - seen))
                if not chunk:
                    return
                seen += len(chunk)
                if seen > limit:
                    raise _bomb(seen, "，超出声明大小")
                yield chunk
    except UnreadableFile:
        raise
    except _ZIP_ERRORS:
        raise _damaged("ZIP 内部数据无法解压") from None


def read_member(zf: zipfile.ZipFile, member: str | zipfile.ZipInfo, limit: int) -> bytes:
    """Return a member's bytes, refusing (UnreadableFile) past ``limit`` bytes."""
    return b"".join(iter_member(zf, member, limit))


def read_member_head(zf: zipfile.ZipFile, member: str | zipfile.ZipInfo, n: int) -> bytes:
    """Return at most the first ``n`` decompressed bytes of a member."""
    try:
        info = member if isinstance(member, zipfile.ZipInfo) else zf.getinfo(member)
        with zf.open(info) as fh:
            return fh.read(n)
    except _ZIP_ERRORS:
        raise _damaged("ZIP 内部数据无法解压") from None


# ---- DTD / entity refusal --------------------------------------------------

_XML_NAME_SUFFIXES = (".xml", ".rels", ".vml")
_DTD_MARKERS = tuple(
    m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("ascii", "utf-16-le", "utf-16-be")
)
_ENCODING_DECL = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_ELEMENT_START = re.compile(r"<[^?!]")


def _refuse_xml_with_dtd(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse the archive if any XML part carries a DTD.

    Checked: every member named ``*.xml`` / ``*.rels`` / ``*.vml``, and any
    other member whose content starts with ``<`` (readers follow
    relationships, not extensions, so a sheet could be named ``sheet1.bin``).
    Only the first :data:`XML_HEAD_BYTES` of each are decompressed.  A DTD
    can only sit in the prolog, before the root element, so a part whose
    first 4 KiB do not reach an element start tag is refused too -- a padded
    prolog cannot smuggle a DTD past the window.
    """
    for info in infos:
        if info.filename.endswith("/") or info.file_size == 0:
            continue
        head = read_member_head(zf, info, XML_HEAD_BYTES)
        if not info.filename.lower().endswith(_XML_NAME_SUFFIXES) and not _looks_like_xml(head):
            continue
        problem = xml_head_problem(head)
        if problem == "dtd":
            raise UnreadableFile(MSG_XML_DTD.format(name=_show_name(info.filename)))
        if problem == "prolog":
            raise UnreadableFile(MSG_XML_PROLOG.format(name=_show_name(info.filename)))


def _looks_like_xml(head: bytes) -> bool:
    h = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return h[:1] == b"<"


def _decode_head(head: bytes) -> str:
    """Decode the start of an XML part the way an XML parser would."""
    if head[:2] == codecs.BOM_UTF16_LE or head[:2] == b"<\x00":
        return head.decode("utf-16-le", "replace")
    if head[:2] == codecs.BOM_UTF16_BE or head[:2] == b"\x00<":
        return head.decode("utf-16-be", "replace")
    if head[:3] == codecs.BOM_UTF8:
        head = head[3:]
    m = _ENCODING_DECL.match(head)
    if m:
        try:
            return head.decode(m.group(1).decode("ascii"), "replace")
        except (LookupError, ValueError):
            pass  # an encoding Python does not know: expat will refuse it
    return head.decode("latin-1")


def xml_head_problem(head: bytes) -> str | None:
    """Classify the first bytes of an XML part.

    Returns ``"dtd"`` if they contain ``<!DOCTYPE`` or ``<!ENTITY`` (in
    UTF-8/ASCII, UTF-16 or the declared encoding), ``"prolog"`` if a full
    window contains no element start tag, else ``None``.
    """
    if any(m in head for m in _DTD_MARKERS):
        return "dtd"
    text = _decode_head(head)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return "dtd"
    if len(head) >= XML_HEAD_BYTES and not _ELEMENT_START.search(text):
        return "prolog"
    return None


# --------------------------------------------------------------------------
# OLE2 compound files (legacy .xls, encrypted OOXML, .doc, ...)
# --------------------------------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_NOSTREAM = 0xFFFFFFFF
_MAXREGSECT = 0xFFFFFFFA  # sector ids at or above this are special values
_MAX_DIR_BYTES = 4 * MiB  # 32768 directory entries; real files have < 100


class _CfbError(Exception):
    """The compound file's structure cannot be followed."""


def _sniff_ole(f: BinaryIO, size: int, path: Path) -> str:
    try:
        entries = cfb_top_level_entries(f, size)
    except _CfbError:
        raise _damaged("复合文档结构无法读取") from None
    except OSError:
        raise UnreadableFile(MSG_OS_ERROR) from None
    by_lower = {e.name.lower(): e for e in entries}
    lower = set(by_lower)
    if "encryptedpackage" in lower or "encryptioninfo" in lower:
        raise UnreadableFile(MSG_ENCRYPTED)
    book = by_lower.get("workbook") or by_lower.get("book")
    if book is not None:
        # A cut-off copy usually loses the directory (caught above); if the
        # directory survived, the workbook stream must still fit in the file.
        if book.size > size or (book.size >= book.cutoff and book.start >= book.n_sectors):
            raise _damaged("工作簿数据不完整，文件可能被截断")
        return "xls"
    if "worddocument" in lower:
        raise _not_excel(path, "Word 文档（.doc）", _ADVICE_ASK_ORIGINAL)
    if "powerpoint document" in lower:
        raise _not_excel(path, "PowerPoint 演示文稿（.ppt）", _ADVICE_ASK_ORIGINAL)
    raise _not_excel(path, "其他程序的复合文档（不含 Excel 工作簿数据）", _ADVICE_ASK_ORIGINAL)


@dataclass(frozen=True)
class CfbEntry:
    """A stream (type 2) or storage (type 1) directly under the root."""

    name: str
    type: int
    start: int  # first sector
    size: int  # bytes
    cutoff: int  # streams smaller than this live in the mini stream
    n_sectors: int  # regular sectors present in the file


def cfb_top_level_names(f: BinaryIO, size: int) -> list[str]:
    """Names of the streams/storages directly under a compound file's root."""
    return [e.name for e in cfb_top_level_entries(f, size)]


def cfb_top_level_entries(f: BinaryIO, size: int) -> list[CfbEntry]:
    """The streams/storages directly under a compound file's root.

    A small reader of the [MS-CFB] directory, bounded in work and memory:
    it reads the 512-byte header, follows the directory sector chain through
    the FAT (locating FAT sectors via the header DIFAT and, for large files,
    the DIFAT chain), refuses cycles and out-of-range sectors, stops after
    4 MiB of directory, and walks the root's child tree with a visited set.
    Stream *contents* are never read.  Raises :class:`_CfbError` on any
    structural problem (a truncated file usually lands here).

    Why a directory reader rather than searching the first few hundred KiB
    for the UTF-16 name ``EncryptedPackage``: writers may place the
    directory after a multi-megabyte EncryptedPackage stream, and a
    byte search could also hit the name inside some stream's data.
    """
    f.seek(0)
    hdr = f.read(512)
    if len(hdr) < 512 or hdr[:8] != OLE_MAGIC:
        raise _CfbError("short header")
    major, _, shift = struct.unpack_from("<HHH", hdr, 26)
    if shift not in (9, 12):
        raise _CfbError("sector size")
    ss = 1 << shift
    per = ss // 4  # 32-bit ids per sector
    first_dir, _, cutoff, _, _, first_difat, _ = struct.unpack_from("<7L", hdr, 48)
    header_difat = struct.unpack_from("<109L", hdr, 76)
    n_sectors = (size - 1) // ss if size > ss else 0  # sector i is at (i + 1) * ss

    def read_sector(sid: int) -> bytes:
        if sid >= _MAXREGSECT or sid >= n_sectors:
            raise _CfbError("sector out of range")
        f.seek((sid + 1) * ss)
        data = f.read(ss)
        if not data:
            raise _CfbError("truncated")
        return data

    # FAT sector ids beyond the 109 in the header live in a chain of DIFAT
    # sectors (per - 1 ids each, then the next DIFAT sector's id); loaded
    # lazily, each sector at most once (a repeat means a cycle).
    extra_difat: list[int] = []
    difat_chain: list[int] = [first_difat]
    difat_seen: set[int] = set()

    def fat_sector_id(index: int) -> int:
        if index < 109:
            return header_difat[index]
        index -= 109
        while len(extra_difat) <= index:
            sid = difat_chain[-1]
            if sid in difat_seen:
                raise _CfbError("difat cycle")
            difat_seen.add(sid)
            data = read_sector(sid)
            if len(data) < ss:
                raise _CfbError("truncated difat")
            ids = struct.unpack_from(f"<{per}L", data)
            extra_difat.extend(ids[:-1])
            difat_chain.append(ids[-1])
        return extra_difat[index]

    fat_cache: dict[int, bytes] = {}

    def next_sector(sid: int) -> int:
        fat_sid = fat_sector_id(sid // per)
        if fat_sid not in fat_cache:
            if len(fat_cache) > 64:
                fat_cache.clear()
            fat_cache[fat_sid] = read_sector(fat_sid)
        data = fat_cache[fat_sid]
        off = (sid % per) * 4
        if off + 4 > len(data):
            raise _CfbError("truncated fat")
        return struct.unpack_from("<L", data, off)[0]

    # (name, type, left, right, child, start, size)
    entries: list[tuple[str, int, int, int, int, int, int]] = []
    visited: set[int] = set()
    sid = first_dir
    while sid != _ENDOFCHAIN:
        if sid in visited:
            raise _CfbError("directory cycle")
        if len(visited) * ss >= _MAX_DIR_BYTES:
            raise _CfbError("directory too large")
        visited.add(sid)
        data = read_sector(sid)
        for off in range(0, len(data) - 127, 128):
            raw = data[off : off + 128]
            name_len = min(struct.unpack_from("<H", raw, 64)[0], 64)
            name = raw[: max(0, name_len - 2)].decode("utf-16-le", "replace")
            etype = raw[66]
            left, right, child = struct.unpack_from("<3L", raw, 68)
            start, stream_size = struct.unpack_from("<LQ", raw, 116)
            if major == 3:  # only the low 32 bits are defined in version 3
                stream_size &= 0xFFFFFFFF
            entries.append((name, etype, left, right, child, start, stream_size))
        sid = next_sector(sid)
    if not entries:
        raise _CfbError("empty directory")

    def entry(e: tuple) -> CfbEntry:
        return CfbEntry(e[0], e[1], e[5], e[6], cutoff, n_sectors)

    found: list[CfbEntry] = []
    seen: set[int] = set()
    stack = [entries[0][4]]  # the root entry's child tree
    while stack:
        i = stack.pop()
        if i == _NOSTREAM or i >= len(entries) or i in seen:
            continue
        seen.add(i)
        e = entries[i]
        if e[1] in (1, 2):  # storage, stream
            found.append(entry(e))
        stack.extend((e[2], e[3]))
    if not found:  # a damaged tree: fall back to every stream/storage
        found = [entry(e) for e in entries[1:] if e[1] in (1, 2)]
    return found


# --------------------------------------------------------------------------
# Everything else
# --------------------------------------------------------------------------

_ARCHIVES = (
    (b"Rar!\x1a\x07", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
)
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF87a", "GIF 图片"),
    (b"GIF89a", "GIF 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
)


def _describe_other(sample: bytes, path: Path) -> UnreadableFile:
    """The error for content that is neither ZIP nor OLE2."""
    if sample.startswith(b"%PDF"):
        return _not_excel(path, "PDF 文档", "PDF 无法直接核查，" + _ADVICE_ASK_ORIGINAL)
    for magic, what in _IMAGES:
        if sample.startswith(magic):
            return _not_excel(path, what, "图片无法核查，" + _ADVICE_ASK_ORIGINAL)
    for magic, what in _ARCHIVES:
        if sample.startswith(magic):
            return _not_excel(path, what, _ADVICE_UNZIP)
    if sample[:4] == b"RIFF" and sample[8:12] == b"WEBP":
        return _not_excel(path, "WebP 图片", "图片无法核查，" + _ADVICE_ASK_ORIGINAL)

    text = _as_text(sample)
    if text is not None:
        low = text.lstrip("\ufeff \t\r\n").lower()
        head = low[:8192]
        if head.startswith("mime-version:") or "content-type: multipart/related" in head[:2048]:
            return _not_excel(path, "单个文件网页(MHT)格式", _ADVICE_RESAVE)
        if "<html" in head or head.startswith("<!doctype html"):
            return _not_excel(path, "网页(HTML)格式", _ADVICE_RESAVE)
        if "urn:schemas-microsoft-com:office:spreadsheet" in head or 'progid="excel.sheet"' in head:
            return _not_excel(path, "Excel 2003 XML 表格格式", _ADVICE_RESAVE)
        if head.startswith("<") and ("<table" in head or "<body" in head):
            return _not_excel(path, "网页(HTML)格式", _ADVICE_RESAVE)
        if head.startswith("<?xml") or head.startswith("<"):
            return _not_excel(path, "XML 文本", _ADVICE_ASK_ORIGINAL)
        if "{\\rtf" in head[:10]:
            return _not_excel(path, "RTF 文档", _ADVICE_ASK_ORIGINAL)
        lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
        if lines and any(sep in ln for ln in lines for sep in (",", "\t", "，", ";")):
            return _not_excel(path, "文本(CSV)格式", _ADVICE_RESAVE)
        return _not_excel(path, "纯文本格式", _ADVICE_ASK_ORIGINAL)

    ext = path.suffix
    if ext and ext.lower() in _SPREADSHEET_EXTS:
        return UnreadableFile(
            f"该文件扩展名为 {ext}，但内容无法识别为 Excel 工作簿，可能已损坏，或并不是 Excel 文件。"
            "请重新获取该文件，或让报送单位在 Excel 中重新保存后再发送。"
        )
    return UnreadableFile(
        "无法识别该文件的格式，它不是 Excel 工作簿（.xlsx / .xlsm / .xls），也可能已损坏。"
        "请确认文件是否正确，或重新获取该文件。"
    )


def _as_text(sample: bytes) -> str | None:
    """Decode a sample if it looks like text (UTF-8/16, GB18030), else None."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        enc = "utf-16"
        try:
            return codecs.getincrementaldecoder(enc)("strict").decode(sample, final=False)
        except UnicodeDecodeError:
            return None
    if b"\x00" in sample:
        return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(enc)("strict").decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
        if controls <= len(text) // 100:
            return text
    return None
