"""Builders of hostile, damaged and look-alike input files, for tests.

Every ``make_*`` function writes one file at ``path`` (its parent must
exist), returns ``path`` as a :class:`~pathlib.Path`, and needs nothing but
the standard library and openpyxl.  They are meant to be reused by
CLI-level tests (``tests/`` is on ``sys.path`` when pytest runs a test file
there; with ``python -m pytest`` from the repo root ``tests.badfiles`` works
too)::

    from badfiles import make_valid_xlsx, make_declared_bomb
    good = make_valid_xlsx(tmp_path / "good.xlsx")
    bomb = make_declared_bomb(tmp_path / "bomb.xlsx")

What :func:`xltool.io.safety.sniff` answers for each:

=============================  ==============================================
builder                        sniff
=============================  ==============================================
make_valid_xlsx                "xlsx"
make_xlsm                      "xlsm"
make_fake_xls                  "xls" (OLE ``Workbook`` stream of junk: sniff
                               accepts it, a real reader will not)
make_declared_bomb             refused, 压缩炸弹 (sizes in the central
                               directory lie; ~4 MB file declaring 1.5 GB)
make_zip_bomb                  refused, 压缩炸弹 (genuine 300 MB of zeros,
                               ~0.3 MB file; ~2 s to build)
make_many_members              refused, 部件过多
make_billion_laughs_xlsx       refused, XML 实体声明
make_truncated                 refused, 已损坏或不完整
make_encrypted_ooxml           refused, 打开密码（已加密）
make_ole_doc / make_ole_ppt    refused, Word / PowerPoint
make_docx_like, make_pptx_like refused, Word / PowerPoint
make_xlsb_like                 refused, .xlsb
make_ods_like                  refused, OpenDocument
make_zip_of_workbooks          refused, ZIP 压缩包 … 请先解压
make_html_as_xls, make_mht…    refused, 网页
make_xml2003_as_xls            refused, Excel 2003 XML
make_csv_as_xlsx               refused, 文本(CSV)
make_pdf, make_png, make_jpeg  refused, PDF / 图片
make_rar, make_7z              refused, 压缩包
make_empty                     refused, 文件为空
=============================  ==============================================
"""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path
from typing import Callable, Mapping, Union

MiB = 1024**2

XLSM_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

# ---------------------------------------------------------------------------
# Valid workbooks and zip rewriting
# ---------------------------------------------------------------------------


def make_valid_xlsx(path: Path) -> Path:
    """A small, genuine workbook written by openpyxl (Chinese content)."""
    import openpyxl

    path = Path(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目支出绩效自评表"
    ws.append(["项目名称", "年初预算数", "全年执行数", "执行率"])
    ws.append(["办公设备购置", 120000, 98000.5, "=C2/B2"])
    ws.append(["培训经费", 50000, 50000, "=C3/B3"])
    wb.create_sheet("说明")["A1"] = "本表由单位填报"
    wb.save(path)
    return path


def rewrite_zip(
    src: Path,
    dst: Path,
    *,
    replace: Mapping[str, bytes] | None = None,
    add: Mapping[str, bytes] | None = None,
    drop: set[str] | frozenset[str] = frozenset(),
    transform: Callable[[str, bytes], bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """Copy zip ``src`` to ``dst`` replacing/adding/dropping members."""
    replace = dict(replace or {})
    dst = Path(dst)
    tmp = dst.with_name(dst.name + ".tmp")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", compression) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = replace.pop(info.filename, None)
            if data is None:
                data = zin.read(info)
            if transform is not None:
                data = transform(info.filename, data)
            zout.writestr(info.filename, data)
        for name, data in list(replace.items()) + list((add or {}).items()):
            zout.writestr(name, data)
    os.replace(tmp, dst)
    return dst


def make_xlsm(path: Path, *, via: str = "content_type") -> Path:
    """A macro-enabled workbook: ``via`` is "content_type", "vba_part" or "both".

    The vbaProject.bin is junk (sniff never parses it).
    """
    path = Path(path)
    base = make_valid_xlsx(path.with_name(path.name + ".base.xlsx"))

    def patch_ct(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml" and via in ("content_type", "both"):
            return data.replace(XLSX_CONTENT_TYPE.encode(), XLSM_CONTENT_TYPE.encode())
        return data

    add = {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0junk"} if via in ("vba_part", "both") else {}
    rewrite_zip(base, path, add=add, transform=patch_ct)
    base.unlink()
    return path


def _central_directory_entries(data: bytes) -> list[tuple[int, str]]:
    """(offset, name) of each central-directory entry of a simple zip."""
    eocd = data.rfind(b"PK\x05\x06")
    cd_size, cd_off = struct.unpack_from("<LL", data, eocd + 12)
    out = []
    p = cd_off
    while p < cd_off + cd_size:
        assert data[p : p + 4] == b"PK\x01\x02"
        n, m, k = struct.unpack_from("<HHH", data, p + 28)
        out.append((p, data[p + 46 : p + 46 + n].decode("utf-8", "replace")))
        p += 46 + n + m + k
    return out


def patch_declared_sizes(path: Path, sizes: Mapping[str, int]) -> Path:
    """Overwrite the uncompressed size that the central directory and the
    local headers declare for the named members (sizes < 4 GiB)."""
    path = Path(path)
    data = bytearray(path.read_bytes())
    for p, name in _central_directory_entries(bytes(data)):
        if name in sizes:
            struct.pack_into("<L", data, p + 24, sizes[name])
            local = struct.unpack_from("<L", data, p + 42)[0]
            struct.pack_into("<L", data, local + 22, sizes[name])
    path.write_bytes(bytes(data))
    return path


def patch_eocd_count(path: Path, count: int) -> Path:
    """Make the end-of-central-directory record lie about the entry count."""
    path = Path(path)
    data = bytearray(path.read_bytes())
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, eocd + 8, count, count)
    path.write_bytes(bytes(data))
    return path


# ---------------------------------------------------------------------------
# Zip bombs
# ---------------------------------------------------------------------------


def make_declared_bomb(
    path: Path,
    *,
    declared_total: int = 1536 * MiB,
    members: int = 8,
    padding: int = 4 * MiB,
) -> Path:
    """A ~4 MB workbook whose central directory DECLARES ``declared_total``.

    A valid xlsx plus ``members`` stored members of random bytes (``padding``
    in all); their declared uncompressed sizes are then patched to share
    ``declared_total`` (each must stay below 4 GiB).  Nothing here inflates:
    a reader that trusted the sizes would try to allocate 1.5 GB.  Builds in
    well under a second.
    """
    path = Path(path)
    base = make_valid_xlsx(path.with_name(path.name + ".base.xlsx"))
    chunk = max(1, padding // members)
    add = {f"xl/media/image{i + 1}.bin": os.urandom(chunk) for i in range(members)}
    rewrite_zip(base, path, add=add, compression=zipfile.ZIP_STORED)
    base.unlink()
    each = declared_total // members
    if each >= 2**32:
        raise ValueError("declared_total / members must be < 4 GiB")
    return patch_declared_sizes(path, {name: each for name in add})


def make_zip_bomb(path: Path, *, size: int = 300 * MiB, name: str = "xl/media/zeros.bin") -> Path:
    """A valid xlsx plus a GENUINE high-ratio member: ``size`` bytes of zeros.

    Written with zipfile streaming in 1 MiB chunks (deflate, ratio ~1000:1):
    300 MiB gives a ~0.3 MB file in about 2 s.  Use ``size`` to make smaller
    ones (e.g. 20 MiB, to test ``read_member`` limits quickly).
    """
    path = Path(path)
    make_valid_xlsx(path)
    zeros = bytes(MiB)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        with zf.open(name, "w", force_zip64=True) as w:
            left = size
            while left > 0:
                w.write(zeros[: min(left, MiB)])
                left -= MiB
    return path


def make_lying_size_zip(path: Path, *, actual: int = 20 * MiB, declared: int = 1000) -> Path:
    """A zip member that inflates to ``actual`` bytes but declares ``declared``."""
    path = Path(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("payload.xml", bytes(actual))
    return patch_declared_sizes(path, {"payload.xml": declared})


def make_many_members(path: Path, n: int, *, lie_count: int | None = None) -> Path:
    """A valid xlsx plus ``n`` tiny extra members (optionally lying EOCD count)."""
    path = Path(path)
    make_valid_xlsx(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"x/{i}", b"")
    if lie_count is not None:
        patch_eocd_count(path, lie_count)
    return path


# ---------------------------------------------------------------------------
# XML entity attacks
# ---------------------------------------------------------------------------

_LAUGHS = "".join(
    f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' for i in range(1, 10)
)
BILLION_LAUGHS_DTD = '<!DOCTYPE worksheet [\n  <!ENTITY lol0 "lol">\n' + _LAUGHS + "]>\n"
_SHEET_BODY = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>'
    "</sheetData></worksheet>"
)


def billion_laughs_xml(variant: str = "utf8") -> bytes:
    """A worksheet part carrying a DTD.

    variant: "utf8" (classic billion laughs), "utf16" (same, UTF-16 with
    BOM), "padded" (DTD after a 6 KB comment in the prolog, beyond the 4 KiB
    window), "xxe" (external entity reading /etc/passwd).
    """
    decl = '<?xml version="1.0" encoding="{enc}" standalone="yes"?>\n'
    if variant == "xxe":
        dtd = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        return (decl.format(enc="UTF-8") + dtd + _SHEET_BODY.format(text="&xxe;")).encode()
    text = decl.format(enc="UTF-16" if variant == "utf16" else "UTF-8")
    if variant == "padded":
        text += "<!--" + " 说明 " * 1500 + "-->\n"
    text += BILLION_LAUGHS_DTD + _SHEET_BODY.format(text="&lol9;")
    if variant == "utf16":
        return text.encode("utf-16")  # with BOM
    return text.encode("utf-8")


def make_billion_laughs_xlsx(
    path: Path, *, variant: str = "utf8", part: str = "xl/worksheets/sheet1.xml"
) -> Path:
    """A valid openpyxl xlsx whose ``part`` is replaced (or added) with a
    billion-laughs payload (see :func:`billion_laughs_xml` for variants)."""
    path = Path(path)
    base = make_valid_xlsx(path.with_name(path.name + ".base.xlsx"))
    payload = billion_laughs_xml(variant)
    with zipfile.ZipFile(base) as zf:
        present = part in zf.namelist()
    if present:
        rewrite_zip(base, path, replace={part: payload})
    else:
        rewrite_zip(base, path, add={part: payload})
    base.unlink()
    return path


# ---------------------------------------------------------------------------
# Damaged files
# ---------------------------------------------------------------------------


def make_truncated(path: Path, good: Path, *, keep: float | int = 0.5) -> Path:
    """The first part of ``good``: a fraction (float) or a byte count (int)."""
    data = Path(good).read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep
    Path(path).write_bytes(data[:n])
    return Path(path)


def make_empty(path: Path) -> Path:
    Path(path).write_bytes(b"")
    return Path(path)


# ---------------------------------------------------------------------------
# OLE2 / compound file binary (CFB) writer
# ---------------------------------------------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_FREESECT = 0xFFFFFFFF
_FATSECT = 0xFFFFFFFD
_DIFSECT = 0xFFFFFFFC
_NOSTREAM = 0xFFFFFFFF
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

Tree = Mapping[str, Union[bytes, "Tree"]]


def build_cfb(tree: Tree, *, dir_at_end: bool = False) -> bytes:
    """A minimal valid compound file (version 3, 512-byte sectors).

    ``tree`` maps names to stream contents (bytes) or to nested dicts
    (storages).  Streams shorter than 4096 bytes are zero-padded to 4096 so
    that everything lives in regular sectors (no mini stream is written).
    Siblings are linked as a right-leaning binary search tree in CFB name
    order, which readers accept.  With ``dir_at_end`` the directory is
    written after the stream data, and when there are more than 109 FAT
    sectors (> ~7 MB of data) DIFAT sectors are written -- both exercise
    a reader that must follow the FAT rather than scan the file start.
    """
    ss = 512
    per = ss // 4

    # Directory entries, depth-first: (name, type, data | None, child ids)
    entries: list[dict] = [{"name": "Root Entry", "type": 5, "data": None, "kids": []}]

    def add(node: Tree, parent: int) -> None:
        for name, value in node.items():
            idx = len(entries)
            if isinstance(value, (bytes, bytearray)):
                data = bytes(value)
                if len(data) < 4096:
                    data += bytes(4096 - len(data))
                entries.append({"name": name, "type": 2, "data": data, "kids": []})
            else:
                entries.append({"name": name, "type": 1, "data": None, "kids": []})
                add(value, idx)
            entries[parent]["kids"].append(idx)

    add(tree, 0)
    for e in entries:
        if len(e["name"]) > 31:
            raise ValueError("CFB names are at most 31 characters")

    data_ids = [i for i, e in enumerate(entries) if e["data"] is not None]
    data_secs = {i: -(-len(entries[i]["data"]) // ss) for i in data_ids}
    n_data = sum(data_secs.values())
    n_dir = -(-len(entries) // 4)
    n_fat = n_difat = 0
    while True:
        total = n_fat + n_difat + n_dir + n_data
        need_fat = -(-total // per)
        need_difat = -(-max(0, need_fat - 109) // (per - 1))
        if (need_fat, need_difat) == (n_fat, n_difat):
            break
        n_fat, n_difat = need_fat, need_difat

    fat_ids = list(range(n_fat))
    difat_ids = list(range(n_fat, n_fat + n_difat))
    cursor = n_fat + n_difat
    if dir_at_end:
        data_start, dir_start = cursor, cursor + n_data
    else:
        dir_start, data_start = cursor, cursor + n_dir
    total = n_fat + n_difat + n_dir + n_data

    fat = [_FREESECT] * (n_fat * per)
    for s in fat_ids:
        fat[s] = _FATSECT
    for s in difat_ids:
        fat[s] = _DIFSECT

    def chain(start: int, count: int) -> None:
        for k in range(count):
            fat[start + k] = start + k + 1 if k + 1 < count else _ENDOFCHAIN

    chain(dir_start, n_dir)
    starts = {}
    s = data_start
    for i in data_ids:
        starts[i] = s
        chain(s, data_secs[i])
        s += data_secs[i]

    def key(i: int) -> tuple[int, str]:
        name = entries[i]["name"]
        return (len(name), name.upper())

    child = {i: _NOSTREAM for i in range(len(entries))}
    right = {i: _NOSTREAM for i in range(len(entries))}
    for i, e in enumerate(entries):
        kids = sorted(e["kids"], key=key)
        if kids:
            child[i] = kids[0]
            for a, b in zip(kids, kids[1:]):
                right[a] = b

    dir_bytes = bytearray()
    for i, e in enumerate(entries):
        name16 = e["name"].encode("utf-16-le") + b"\x00\x00"
        size = len(e["data"]) if e["data"] is not None else 0
        start = starts.get(i, _ENDOFCHAIN if e["type"] == 5 else 0)
        dir_bytes += struct.pack(
            "<64sHBBLLL16sLQQLQ",
            name16, len(name16), e["type"], 1, _NOSTREAM, right[i], child[i],
            bytes(16), 0, 0, 0, start, size,
        )
    while len(dir_bytes) < n_dir * ss:
        dir_bytes += struct.pack(
            "<64sHBBLLL16sLQQLQ", bytes(64), 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM,
            bytes(16), 0, 0, 0, 0, 0,
        )

    header_difat = (fat_ids[:109] + [_FREESECT] * 109)[:109]
    header = struct.pack(
        "<8s16sHHHHH6sLLLLLLLLL",
        OLE_MAGIC, bytes(16), 0x3E, 3, 0xFFFE, 9, 6, bytes(6),
        0, n_fat, dir_start, 0, 4096, _ENDOFCHAIN, 0,
        difat_ids[0] if difat_ids else _ENDOFCHAIN, n_difat,
    ) + struct.pack("<109L", *header_difat)
    assert len(header) == 512

    sectors: list[bytes] = [b""] * total
    fat_raw = struct.pack(f"<{len(fat)}L", *fat)
    for k, s in enumerate(fat_ids):
        sectors[s] = fat_raw[k * ss : (k + 1) * ss]
    rest = fat_ids[109:]
    for k, s in enumerate(difat_ids):
        ids = rest[k * (per - 1) : (k + 1) * (per - 1)]
        ids += [_FREESECT] * (per - 1 - len(ids))
        nxt = difat_ids[k + 1] if k + 1 < len(difat_ids) else _ENDOFCHAIN
        sectors[s] = struct.pack(f"<{per}L", *ids, nxt)
    for k in range(n_dir):
        sectors[dir_start + k] = bytes(dir_bytes[k * ss : (k + 1) * ss])
    for i in data_ids:
        data = entries[i]["data"]
        data += bytes(-len(data) % ss)
        for k in range(data_secs[i]):
            sectors[starts[i] + k] = data[k * ss : (k + 1) * ss]
    return header + b"".join(sectors)


_ENCRYPTION_INFO = (
    struct.pack("<HHL", 4, 4, 0x40)  # agile encryption, version 4.4
    + b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
    b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
    b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
    b'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>'
)


def make_encrypted_ooxml(path: Path, *, package_size: int = 8192, dir_at_end: bool = False) -> Path:
    """A password-encrypted xlsx as Excel writes it: an OLE2 file with
    ``EncryptionInfo`` and ``EncryptedPackage`` streams (plus the
    ``\\x06DataSpaces`` storage).  The "ciphertext" is random bytes.

    ``package_size=8 * MiB, dir_at_end=True`` puts the directory after the
    package and needs DIFAT sectors.
    """
    body = struct.pack("<Q", package_size) + os.urandom(package_size)
    tree = {
        "\x06DataSpaces": {"Version": b"\x3c\x00\x00\x00", "DataSpaceMap": b"\x08\x00\x00\x00"},
        "EncryptionInfo": _ENCRYPTION_INFO,
        "EncryptedPackage": body,
    }
    Path(path).write_bytes(build_cfb(tree, dir_at_end=dir_at_end))
    return Path(path)


def make_fake_xls(path: Path, *, extra: Tree | None = None) -> Path:
    """An OLE2 file with a ``Workbook`` stream (junk BIFF): sniff says "xls".

    Not readable by a real .xls reader.  ``extra`` adds more entries, e.g.
    an embedded object storage.
    """
    tree: dict = {"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + bytes(5000)}
    tree.update(extra or {})
    Path(path).write_bytes(build_cfb(tree))
    return Path(path)


def make_ole_doc(path: Path) -> Path:
    """A Word 97-2003 .doc look-alike (``WordDocument`` + ``1Table``)."""
    Path(path).write_bytes(build_cfb({"WordDocument": b"\xec\xa5" + bytes(5000), "1Table": b"x"}))
    return Path(path)


def make_ole_ppt(path: Path) -> Path:
    """A PowerPoint 97-2003 .ppt look-alike (``PowerPoint Document``)."""
    Path(path).write_bytes(build_cfb({"PowerPoint Document": b"x", "Current User": b"y"}))
    return Path(path)


def make_ole_other(path: Path) -> Path:
    """An OLE2 file holding none of the known streams."""
    Path(path).write_bytes(build_cfb({"Contents": b"hello"}))
    return Path(path)


# ---------------------------------------------------------------------------
# Other ZIP-based look-alikes
# ---------------------------------------------------------------------------


def _write_zip(path: Path, members: Mapping[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return Path(path)


_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="{part}" ContentType="{ctype}"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{part}"/></Relationships>'
)


def make_docx_like(path: Path) -> Path:
    """A minimal Word .docx package (often sent instead of the workbook)."""
    part = "/word/document.xml"
    ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _write_zip(path, {
        "[Content_Types].xml": _CT.format(part=part, ctype=ctype).encode(),
        "_rels/.rels": _RELS.format(part=part[1:]).encode(),
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body>'
        "<w:p><w:r><w:t>预算说明</w:t></w:r></w:p></w:body></w:document>".encode(),
    })


def make_pptx_like(path: Path) -> Path:
    part = "/ppt/presentation.xml"
    ctype = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    return _write_zip(path, {
        "[Content_Types].xml": _CT.format(part=part, ctype=ctype).encode(),
        "ppt/presentation.xml": b'<?xml version="1.0"?><p:presentation xmlns:p="urn:p"/>',
    })


def make_xlsb_like(path: Path) -> Path:
    part = "/xl/workbook.bin"
    ctype = "application/vnd.ms-excel.sheet.binary.macroEnabled.main"
    return _write_zip(path, {
        "[Content_Types].xml": _CT.format(part=part, ctype=ctype).encode(),
        "xl/workbook.bin": b"\x83\x01\x00",
    })


def make_ods_like(path: Path) -> Path:
    return _write_zip(path, {
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": b'<?xml version="1.0"?><office:document-content xmlns:office="urn:o"/>',
    })


def make_zip_of_workbooks(path: Path, good: Path) -> Path:
    """A plain ZIP archive that contains workbooks (sent zipped by mail)."""
    data = Path(good).read_bytes()
    return _write_zip(path, {"单位A.xlsx": data, "单位B.xlsx": data})


def make_ooxml_without_workbook(path: Path) -> Path:
    """Has [Content_Types].xml but no xl/workbook.xml."""
    return _write_zip(path, {
        "[Content_Types].xml": _CT.format(part="/xl/other.xml", ctype="application/xml").encode(),
        "xl/other.xml": b"<a/>",
    })


def make_workbook_without_content_types(path: Path, good: Path) -> Path:
    return rewrite_zip(good, path, drop={"[Content_Types].xml"})


# ---------------------------------------------------------------------------
# Non-ZIP look-alikes
# ---------------------------------------------------------------------------


def make_html_as_xls(path: Path, *, encoding: str = "utf-8") -> Path:
    """An "xls" as many web systems export it: an HTML table."""
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel" '
        'xmlns="http://www.w3.org/TR/REC-html40">\r\n<head><meta http-equiv="Content-Type" '
        f'content="text/html; charset={encoding}"></head>\r\n<body><table border="1">'
        "<tr><td>项目名称</td><td>预算数</td></tr><tr><td>办公经费</td><td>1000</td></tr>"
        "</table></body></html>\r\n"
    )
    Path(path).write_bytes(html.encode(encoding))
    return Path(path)


def make_mht_as_xls(path: Path) -> Path:
    """Excel's "single file web page" (.mht) saved under .xls."""
    Path(path).write_bytes(
        b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\n"
        b'Content-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
    )
    return Path(path)


def make_xml2003_as_xls(path: Path) -> Path:
    """An Excel 2003 XML Spreadsheet (SpreadsheetML) saved under .xls."""
    Path(path).write_bytes(
        '<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="表1">'
        '<Table><Row><Cell><Data ss:Type="String">项目</Data></Cell></Row></Table>'
        "</Worksheet></Workbook>\n".encode()
    )
    return Path(path)


def make_csv_as_xlsx(path: Path, *, encoding: str = "gbk") -> Path:
    """A CSV (GBK, as Chinese Excel saves it) under an .xlsx name."""
    Path(path).write_bytes(
        "项目名称,年初预算数,全年执行数\r\n办公经费,1000,800\r\n培训费,500,500\r\n".encode(encoding)
    )
    return Path(path)


def make_utf16_text(path: Path) -> Path:
    """Excel's "Unicode text" export: UTF-16LE with BOM, tab-separated."""
    Path(path).write_bytes("项目\t金额\r\n办公\t100\r\n".encode("utf-16"))
    return Path(path)


def make_pdf(path: Path) -> Path:
    Path(path).write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return Path(path)


def make_png(path: Path) -> Path:
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17))
    return Path(path)


def make_jpeg(path: Path) -> Path:
    Path(path).write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32) + b"\xff\xd9")
    return Path(path)


def make_rar(path: Path) -> Path:
    Path(path).write_bytes(b"Rar!\x1a\x07\x01\x00" + bytes(32))
    return Path(path)


def make_7z(path: Path) -> Path:
    Path(path).write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(32))
    return Path(path)


def make_random_binary(path: Path, size: int = 4096) -> Path:
    """Random bytes that start with none of the recognised signatures."""
    Path(path).write_bytes(b"\x00\x01\x02\x03" + os.urandom(size))
    return Path(path)
