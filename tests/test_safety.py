"""Tests of xltool.io.safety: type sniffing and refusal of hostile files."""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xltool.errors import UnreadableFile
from xltool.io import safety
from xltool.io.safety import DEFAULT_LIMITS, Limits, read_member, sniff

try:  # works whether or not tests/ is a package
    from tests import badfiles as bf
except ImportError:  # pragma: no cover - depends on how pytest was started
    import badfiles as bf

MiB = 1024**2
CJK = re.compile(r"[\u4e00-\u9fff]")


def refusal(path: Path, *phrases: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """Assert sniff refuses ``path`` with a Chinese message containing ``phrases``."""
    with pytest.raises(UnreadableFile) as info:
        sniff(path, limits)
    msg = info.value.message
    assert CJK.search(msg), msg
    assert msg == str(info.value)
    for phrase in phrases:
        assert phrase in msg, (phrase, msg)
    return msg


# ---------------------------------------------------------------------------
# fixtures: files that are costly enough to build once
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("safety")


@pytest.fixture(scope="session")
def good_xlsx(files) -> Path:
    return bf.make_valid_xlsx(files / "good.xlsx")


@pytest.fixture(scope="session")
def good_bytes(good_xlsx) -> bytes:
    return good_xlsx.read_bytes()


@pytest.fixture(scope="session")
def genuine_bomb(files) -> Path:
    t0 = time.perf_counter()
    path = bf.make_zip_bomb(files / "genuine_bomb.xlsx")
    assert time.perf_counter() - t0 < 10, "building the 300 MB bomb must stay under 10 s"
    return path


@pytest.fixture(scope="session")
def declared_bomb(files) -> Path:
    return bf.make_declared_bomb(files / "declared_bomb.xlsx")


@pytest.fixture(scope="session")
def fake_xls_bytes(files) -> bytes:
    return bf.make_fake_xls(files / "fake.xls").read_bytes()


@pytest.fixture(scope="session")
def encrypted_bytes(files) -> bytes:
    return bf.make_encrypted_ooxml(files / "enc.xlsx").read_bytes()


# ---------------------------------------------------------------------------
# accepted files
# ---------------------------------------------------------------------------


def test_valid_xlsx(good_xlsx):
    assert sniff(good_xlsx) == "xlsx"


@pytest.mark.parametrize("name", ["misnamed.xls", "misnamed.csv", "no_extension", "报表.XLSX"])
def test_type_is_decided_by_content_not_extension(tmp_path, good_bytes, fake_xls_bytes, name):
    (tmp_path / name).write_bytes(good_bytes)
    assert sniff(tmp_path / name) == "xlsx"
    (tmp_path / ("ole_" + name)).write_bytes(fake_xls_bytes)
    assert sniff(tmp_path / ("ole_" + name)) == "xls"


def test_accepts_str_path(good_xlsx):
    assert sniff(str(good_xlsx)) == "xlsx"


@pytest.mark.parametrize("via", ["content_type", "vba_part", "both"])
def test_xlsm(tmp_path, via):
    assert sniff(bf.make_xlsm(tmp_path / "macro.xlsm", via=via)) == "xlsm"
    # and under a misleading name
    shutil.copy(tmp_path / "macro.xlsm", tmp_path / "macro.xlsx")
    assert sniff(tmp_path / "macro.xlsx") == "xlsm"


def test_xls(tmp_path):
    assert sniff(bf.make_fake_xls(tmp_path / "a.xls")) == "xls"


def test_xls_with_embedded_encrypted_object_is_still_xls(tmp_path):
    """Only the root's own streams decide: an embedded object's storage that
    happens to hold EncryptedPackage does not make the workbook encrypted."""
    embedded = {"EncryptionInfo": b"i", "EncryptedPackage": b"p", "WordDocument": b"w"}
    path = bf.make_fake_xls(tmp_path / "embed.xls", extra={"MBD0001A2B3": embedded})
    assert sniff(path) == "xls"


def test_default_limits_accept_a_normal_large_member(tmp_path, good_xlsx):
    """Ratio check is skipped at or below 1 MiB; incompressible data passes."""
    path = bf.rewrite_zip(
        good_xlsx, tmp_path / "big.xlsx",
        add={"xl/media/small_zeros.bin": bytes(MiB), "xl/media/photo.bin": os.urandom(3 * MiB)},
    )
    assert sniff(path) == "xlsx"


def test_default_limits_values():
    assert DEFAULT_LIMITS == Limits(512 * MiB, 256 * MiB, 200.0, 10000)
    with pytest.raises(Exception):
        DEFAULT_LIMITS.max_member = 1  # frozen


# ---------------------------------------------------------------------------
# the path itself
# ---------------------------------------------------------------------------


def test_missing(tmp_path):
    refusal(tmp_path / "nope.xlsx", "找不到", "不存在")
    refusal(tmp_path / "nodir" / "nope.xlsx", "找不到")


def test_missing_parent_is_a_file(tmp_path, good_xlsx):
    refusal(good_xlsx / "x.xlsx", "找不到")


def test_directory(tmp_path):
    refusal(tmp_path, "文件夹")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_not_opened(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    refusal(fifo, "不是普通文件")  # would hang if it were opened


def test_empty(tmp_path):
    refusal(bf.make_empty(tmp_path / "empty.xlsx"), "文件为空", "0 字节", "重新获取")


def test_permission_denied_simulated(tmp_path, good_xlsx, monkeypatch):
    def deny(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(safety, "_open_binary", deny)
    refusal(good_xlsx, "没有读取该文件的权限")


def test_os_error_simulated(good_xlsx, monkeypatch):
    def fail(path):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(safety, "_open_binary", fail)
    refusal(good_xlsx, "系统错误")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read anything")
def test_permission_denied_real(tmp_path, good_bytes):
    path = tmp_path / "locked.xlsx"
    path.write_bytes(good_bytes)
    path.chmod(0)
    try:
        refusal(path, "权限")
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


# ---------------------------------------------------------------------------
# zip bombs and limits
# ---------------------------------------------------------------------------


def test_declared_bomb_refused_fast_and_small(declared_bomb):
    assert 3 * MiB < declared_bomb.stat().st_size < 6 * MiB
    with zipfile.ZipFile(declared_bomb) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 1500 * MiB
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        msg = refusal(declared_bomb, "解压后体积异常", "压缩炸弹", "不予处理")
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert "约 1536 MB" in msg  # the declared total
    assert elapsed < 2.0, elapsed
    assert peak < 8 * MiB, peak


def test_declared_bomb_total_limit_alone(declared_bomb):
    """With ratio and member limits out of the way, the total still trips."""
    limits = Limits(max_ratio=1e12, max_member=2**40)
    msg = refusal(declared_bomb, "压缩炸弹", limits=limits)
    assert "约 1536 MB" in msg


def test_declared_bomb_member_limit_alone(declared_bomb):
    limits = Limits(max_ratio=1e12, max_member=100 * MiB)
    refusal(declared_bomb, "压缩炸弹", "单个部件", limits=limits)


def test_genuine_bomb_refused_fast(genuine_bomb):
    assert genuine_bomb.stat().st_size < 2 * MiB
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        refusal(genuine_bomb, "压缩炸弹", "约 300 MB")
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < 2.0, elapsed
    assert peak < 8 * MiB, peak


def test_genuine_bomb_ratio_limit_alone(genuine_bomb):
    limits = Limits(max_member=2**40, max_uncompressed=2**40)
    refusal(genuine_bomb, "压缩比约", limits=limits)


def test_ratio_not_checked_for_small_members(tmp_path, good_xlsx):
    path = bf.rewrite_zip(good_xlsx, tmp_path / "zeros.xlsx", add={"xl/media/z.bin": bytes(MiB)})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/media/z.bin")
        assert info.file_size / info.compress_size > 200
    assert sniff(path) == "xlsx"


def test_too_many_members(tmp_path):
    path = bf.make_many_members(tmp_path / "many.xlsx", 50)
    refusal(path, "部件过多", "安全上限 20 个", limits=Limits(max_members=20))
    assert sniff(path) == "xlsx"


def test_too_many_members_with_lying_count(tmp_path):
    """The EOCD count says 3, the directory holds 10 000+: still refused,
    before zipfile builds its ZipInfo list (the directory size gives it away)."""
    path = bf.make_many_members(tmp_path / "many.xlsx", 10050, lie_count=3)
    refusal(path, "部件过多", limits=Limits(max_members=10000))
    refusal(path, "部件过多", limits=Limits(max_members=100))


def test_default_member_limit(tmp_path):
    path = bf.make_many_members(tmp_path / "many.xlsx", 10001)
    refusal(path, "部件过多", "10000")


# ---------------------------------------------------------------------------
# read_member: streaming with a hard cap
# ---------------------------------------------------------------------------


def test_read_member_normal(good_xlsx):
    with zipfile.ZipFile(good_xlsx) as zf:
        data = read_member(zf, "xl/workbook.xml", 1 * MiB)
        assert data == zf.read("xl/workbook.xml")
        info = zf.getinfo("xl/workbook.xml")
        assert read_member(zf, info, info.file_size) == data


def test_read_member_refuses_declared_size_over_limit_without_reading(genuine_bomb):
    with zipfile.ZipFile(genuine_bomb) as zf:
        t0 = time.perf_counter()
        with pytest.raises(UnreadableFile) as info:
            read_member(zf, "xl/media/zeros.bin", 10 * MiB)
        assert time.perf_counter() - t0 < 0.5
    assert "压缩炸弹" in info.value.message


def test_read_member_with_lying_declared_size(tmp_path):
    """Declares 1000 bytes, inflates to 20 MB: refused, quickly, not inflated."""
    path = bf.make_lying_size_zip(tmp_path / "liar.zip")
    with zipfile.ZipFile(path) as zf:
        tracemalloc.start()
        try:
            with pytest.raises(UnreadableFile) as info:
                read_member(zf, "payload.xml", 10 * MiB)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert CJK.search(info.value.message)
    assert peak < 4 * MiB


class _LyingZip:
    """A zip-like object whose member yields far more than it declares."""

    def __init__(self, actual: int):
        self.actual = actual
        self.served = 0

    def getinfo(self, name):
        info = zipfile.ZipInfo(name)
        info.file_size = 10
        return info

    def open(self, info):
        outer = self

        class Reader(io.RawIOBase):
            def readable(self):
                return True

            def read(self, n=-1):
                n = min(n, outer.actual - outer.served)
                outer.served += n
                return bytes(n)

        return Reader()


def test_read_member_stops_at_limit_whatever_is_declared():
    zf = _LyingZip(actual=500 * MiB)
    with pytest.raises(UnreadableFile) as info:
        read_member(zf, "x.xml", 5 * MiB)
    assert "压缩炸弹" in info.value.message
    assert zf.served <= 5 * MiB + 64 * 1024


def test_iter_member_streams(genuine_bomb):
    with zipfile.ZipFile(genuine_bomb) as zf:
        chunks = safety.iter_member(zf, "xl/workbook.xml", MiB, chunk_size=100)
        assert b"".join(chunks) == zf.read("xl/workbook.xml")


# ---------------------------------------------------------------------------
# XML entity attacks
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["utf8", "utf16", "xxe"])
def test_billion_laughs(tmp_path, variant):
    path = bf.make_billion_laughs_xlsx(tmp_path / "lol.xlsx", variant=variant)
    t0 = time.perf_counter()
    msg = refusal(path, "实体声明", "攻击", "不予处理", "sheet1.xml")
    assert time.perf_counter() - t0 < 1.0
    assert "xl/worksheets/sheet1.xml" in msg


def test_dtd_after_long_prolog_is_refused(tmp_path):
    """A DTD pushed past the 4 KiB window by a long comment is still refused."""
    payload = bf.billion_laughs_xml("padded")
    assert b"<!DOCTYPE" not in payload[:4096]
    path = bf.make_billion_laughs_xlsx(tmp_path / "padded.xlsx", variant="padded")
    refusal(path, "开头异常", "不予处理")


def test_dtd_in_part_with_other_extension(tmp_path):
    """Readers follow relationships, so a disguised XML part is checked too."""
    path = bf.make_billion_laughs_xlsx(tmp_path / "x.xlsx", part="xl/worksheets/sheet9.dat")
    refusal(path, "实体声明")


def test_dtd_in_rels(tmp_path, good_xlsx):
    bad = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><Relationships/>'
    path = bf.rewrite_zip(good_xlsx, tmp_path / "rels.xlsx", replace={"_rels/.rels": bad})
    refusal(path, "实体声明", "_rels/.rels")


def test_dtd_in_declared_encoding(tmp_path, good_xlsx):
    """An EBCDIC-declared part hides <!DOCTYPE from a plain byte search."""
    bad = (b'<?xml version="1.0" encoding="cp500"?>'
           + '<!DOCTYPE w [<!ENTITY a "b">]><w/>'.encode("cp500"))
    path = bf.rewrite_zip(good_xlsx, tmp_path / "ebcdic.xlsx", add={"xl/custom.xml": bad})
    refusal(path, "实体声明")


@pytest.mark.parametrize(
    "head, expected",
    [
        (b'<?xml version="1.0"?><worksheet/>', None),
        (b'<?xml version="1.0"?><!DOCTYPE x><x/>', "dtd"),
        (b'<!ENTITY a "b">', "dtd"),
        ('<?xml version="1.0"?><!DOCTYPE x><x/>'.encode("utf-16"), "dtd"),
        ('<?xml version="1.0"?><!DOCTYPE x><x/>'.encode("utf-16-be"), "dtd"),
        (b"<?xml version='1.0'?>" + b"<!--" + b" " * 5000, "prolog"),
        (b"<?xml version='1.0'?>" + b" " * 5000, "prolog"),
        (b"<?xml version='1.0'?>" + b" " * 100, None),  # short: left to the parser
        ('<?xml version="1.0"?><工作表/>'.encode() + b" " * 5000, None),
        (b"\xef\xbb\xbf<?xml version='1.0'?><a/>", None),
    ],
)
def test_xml_head_problem(head, expected):
    assert safety.xml_head_problem(head[:4096]) == expected


def test_normal_xml_parts_pass(good_xlsx):
    with zipfile.ZipFile(good_xlsx) as zf:
        for name in zf.namelist():
            assert safety.xml_head_problem(zf.read(name)[:4096]) is None, name


# ---------------------------------------------------------------------------
# damaged files
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99, 100, 22])
def test_truncated_xlsx(tmp_path, good_xlsx, keep):
    path = bf.make_truncated(tmp_path / "cut.xlsx", good_xlsx, keep=keep)
    refusal(path, "文件已损坏或不完整", "重新获取")


@pytest.mark.parametrize("keep", [3, 5])
def test_truncated_to_a_few_bytes(tmp_path, good_xlsx, fake_xls_bytes, keep):
    refusal(bf.make_truncated(tmp_path / "cut.xlsx", good_xlsx, keep=keep), "已损坏")
    (tmp_path / "cut.xls").write_bytes(fake_xls_bytes[:keep])
    refusal(tmp_path / "cut.xls", "已损坏")


@pytest.mark.parametrize("keep", [100, 511, 600, 1600, 3000])
def test_truncated_ole(tmp_path, fake_xls_bytes, keep):
    (tmp_path / "cut.xls").write_bytes(fake_xls_bytes[:keep])
    refusal(tmp_path / "cut.xls", "文件已损坏或不完整")


def test_ole_directory_cycle(tmp_path, fake_xls_bytes):
    """A FAT entry pointing the directory sector at itself must not loop."""
    data = bytearray(fake_xls_bytes)
    first_dir = struct.unpack_from("<L", data, 48)[0]
    fat0 = struct.unpack_from("<L", data, 76)[0]
    struct.pack_into("<L", data, (fat0 + 1) * 512 + first_dir * 4, first_dir)
    (tmp_path / "loop.xls").write_bytes(bytes(data))
    t0 = time.perf_counter()
    refusal(tmp_path / "loop.xls", "已损坏")
    assert time.perf_counter() - t0 < 1.0


def test_workbook_without_content_types(tmp_path, good_xlsx):
    path = bf.make_workbook_without_content_types(tmp_path / "noct.xlsx", good_xlsx)
    refusal(path, "已损坏", "[Content_Types].xml")


def test_damaged_member_data(tmp_path, good_xlsx):
    """Garbage in a deflated XML part is caught when its head is read."""
    data = bytearray(good_xlsx.read_bytes())
    with zipfile.ZipFile(good_xlsx) as zf:
        info = zf.getinfo("xl/workbook.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start, start + min(info.compress_size, 64)):
        data[k] = 0xFF
    (tmp_path / "bad.xlsx").write_bytes(bytes(data))
    refusal(tmp_path / "bad.xlsx", "已损坏")


# ---------------------------------------------------------------------------
# encrypted and other OLE files
# ---------------------------------------------------------------------------


def test_encrypted_ooxml(tmp_path):
    path = bf.make_encrypted_ooxml(tmp_path / "enc.xlsx")
    msg = refusal(path, "打开密码", "加密", "文件 → 信息 → 保护工作簿 → 用密码进行加密",
                  "WPS", "清空")
    assert msg == safety.MSG_ENCRYPTED


def test_encrypted_ooxml_large_with_directory_at_end(tmp_path):
    """Directory after an 8 MB package, FAT reached through DIFAT sectors:
    a scan of the first few hundred KiB would miss it."""
    path = bf.make_encrypted_ooxml(tmp_path / "big.xlsx", package_size=8 * MiB, dir_at_end=True)
    data = path.read_bytes()
    assert struct.unpack_from("<L", data, 72)[0] >= 1  # DIFAT sectors in use
    assert "EncryptedPackage".encode("utf-16-le") not in data[: 1 * MiB]
    t0 = time.perf_counter()
    refusal(path, "已加密")
    assert time.perf_counter() - t0 < 0.5


def test_encrypted_under_xls_name(tmp_path, encrypted_bytes):
    (tmp_path / "enc.xls").write_bytes(encrypted_bytes)
    refusal(tmp_path / "enc.xls", "密码")


def test_ole_word(tmp_path):
    refusal(bf.make_ole_doc(tmp_path / "a.xls"), "扩展名为 .xls", "Word 文档（.doc）")
    refusal(bf.make_ole_doc(tmp_path / "a.doc"), "该文件是 Word 文档")


def test_ole_ppt(tmp_path):
    refusal(bf.make_ole_ppt(tmp_path / "a.xls"), "PowerPoint")


def test_ole_other(tmp_path):
    refusal(bf.make_ole_other(tmp_path / "a.xls"), "复合文档", "不含 Excel")


def test_cfb_writer_and_reader_agree(tmp_path):
    tree = {"Workbook": b"a", "\x05SummaryInformation": b"b", "Ctls": b"c",
            "_VBA_PROJECT_CUR": {"VBA": {"dir": b"d"}, "PROJECT": b"p"}}
    data = bf.build_cfb(tree)
    names = safety.cfb_top_level_names(io.BytesIO(data), len(data))
    assert sorted(names) == sorted(tree)


# ---------------------------------------------------------------------------
# other zip look-alikes
# ---------------------------------------------------------------------------


def test_docx(tmp_path):
    refusal(bf.make_docx_like(tmp_path / "表.xlsx"), "扩展名为 .xlsx", "Word 文档")
    refusal(bf.make_docx_like(tmp_path / "说明.docx"), "该文件是 Word 文档", "不是 Excel 工作簿")


def test_pptx(tmp_path):
    refusal(bf.make_pptx_like(tmp_path / "a.xlsx"), "PowerPoint")


def test_xlsb(tmp_path):
    refusal(bf.make_xlsb_like(tmp_path / "a.xlsb"), ".xlsb", "另存为")


def test_ods(tmp_path):
    refusal(bf.make_ods_like(tmp_path / "a.xlsx"), "OpenDocument 表格", "另存为")


def test_zip_of_workbooks(tmp_path, good_xlsx):
    refusal(bf.make_zip_of_workbooks(tmp_path / "报表.zip", good_xlsx), "ZIP 压缩包", "2 个表格文件",
            "请先解压")


def test_plain_zip_and_empty_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as zf:
        zf.writestr("readme.txt", "hi")
    refusal(tmp_path / "a.zip", "ZIP 压缩包", "解压")
    with zipfile.ZipFile(tmp_path / "empty.xlsx", "w"):
        pass
    refusal(tmp_path / "empty.xlsx", "ZIP 压缩包")


def test_ooxml_without_workbook(tmp_path):
    refusal(bf.make_ooxml_without_workbook(tmp_path / "a.xlsx"), "xl/workbook.xml")


# ---------------------------------------------------------------------------
# non-zip look-alikes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_html_as_xls(tmp_path, encoding):
    path = bf.make_html_as_xls(tmp_path / "导出.xls", encoding=encoding)
    msg = refusal(path, "该文件扩展名为 .xls，但内容实为网页(HTML)格式", "另存为", ".xlsx")
    assert "Excel" in msg


def test_html_under_html_name(tmp_path):
    path = bf.make_html_as_xls(tmp_path / "page.html")
    refusal(path, "该文件是网页(HTML)格式")


def test_mht_as_xls(tmp_path):
    refusal(bf.make_mht_as_xls(tmp_path / "a.xls"), "扩展名为 .xls", "网页(MHT)", "另存为")


def test_xml2003_as_xls(tmp_path):
    refusal(bf.make_xml2003_as_xls(tmp_path / "a.xls"), "Excel 2003 XML", "另存为")


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_csv_as_xlsx(tmp_path, encoding):
    path = bf.make_csv_as_xlsx(tmp_path / "a.xlsx", encoding=encoding)
    refusal(path, "该文件扩展名为 .xlsx，但内容实为文本(CSV)格式", "另存为")


def test_csv_named_csv(tmp_path):
    msg = refusal(bf.make_csv_as_xlsx(tmp_path / "a.csv"), "该文件是文本(CSV)格式", "另存为")
    assert "扩展名" not in msg


def test_utf16_text(tmp_path):
    refusal(bf.make_utf16_text(tmp_path / "a.xls"), "文本(CSV)")


def test_plain_text(tmp_path):
    (tmp_path / "a.txt").write_text("请见附件\n谢谢\n", encoding="utf-8")
    refusal(tmp_path / "a.txt", "纯文本")


@pytest.mark.parametrize(
    "builder, phrase",
    [
        (bf.make_pdf, "PDF 文档"),
        (bf.make_png, "PNG 图片"),
        (bf.make_jpeg, "JPEG 图片"),
        (bf.make_rar, "RAR 压缩包"),
        (bf.make_7z, "7z 压缩包"),
    ],
)
@pytest.mark.parametrize("name", ["a.xlsx", "a.bin"])
def test_other_formats(tmp_path, builder, phrase, name):
    msg = refusal(builder(tmp_path / name), phrase, "不是 Excel 工作簿")
    if name.endswith(".xlsx"):
        assert f"该文件扩展名为 .xlsx，但内容实为 {phrase}" in msg
    else:
        assert f"该文件是 {phrase}" in msg


def test_unknown_binary(tmp_path):
    refusal(bf.make_random_binary(tmp_path / "a.xlsx"), "扩展名为 .xlsx", "无法识别")
    refusal(bf.make_random_binary(tmp_path / "a.dat"), "无法识别")


def test_every_message_constant_is_chinese():
    for name in dir(safety):
        if name.startswith("MSG_"):
            assert CJK.search(getattr(safety, name)), name


# ---------------------------------------------------------------------------
# properties: never another exception, never a write
# ---------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_total(path: Path, data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
    """sniff returns a type or raises UnreadableFile (Chinese); file untouched."""
    path.write_bytes(data)
    before = path.stat()
    try:
        result = sniff(path, limits)
    except UnreadableFile as exc:
        assert CJK.search(exc.message), exc.message
    else:
        assert result in ("xlsx", "xlsm", "xls")
    after = path.stat()
    assert path.read_bytes() == data
    assert after.st_mtime_ns == before.st_mtime_ns
    assert after.st_size == before.st_size


PREFIXES = [b"", b"PK\x03\x04", b"PK\x05\x06", safety.OLE_MAGIC, b"%PDF", b"<html>", b"\xff\xfe"]


@PROPERTY_SETTINGS
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=3000))
def test_property_random_bytes(tmp_path, prefix, body):
    check_total(tmp_path / "random.xlsx", prefix + body)


@PROPERTY_SETTINGS
@given(data=st.data())
def test_property_truncations(tmp_path, good_bytes, encrypted_bytes, data):
    source = data.draw(st.sampled_from([good_bytes, encrypted_bytes]))
    cut = data.draw(st.integers(0, len(source)))
    check_total(tmp_path / "cut.xlsx", source[:cut])


@PROPERTY_SETTINGS
@given(data=st.data())
def test_property_byte_flips(tmp_path, good_bytes, fake_xls_bytes, encrypted_bytes, data):
    source = bytearray(data.draw(st.sampled_from([good_bytes, fake_xls_bytes, encrypted_bytes])))
    # bias towards structure: the zip central directory sits at the end, the
    # OLE header and directory near the start
    region = data.draw(st.sampled_from(["any", "head", "tail"]))
    lo, hi = {"any": (0, len(source) - 1), "head": (0, min(2047, len(source) - 1)),
              "tail": (max(0, len(source) - 2048), len(source) - 1)}[region]
    flips = data.draw(st.lists(st.tuples(st.integers(lo, hi), st.integers(1, 255)),
                               min_size=1, max_size=8))
    for pos, mask in flips:
        source[pos] ^= mask
    check_total(tmp_path / "flipped.xlsx", bytes(source))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_property_flips_with_tight_limits(tmp_path, good_bytes, data):
    """Small limits put the refusal paths themselves under random input."""
    source = bytearray(good_bytes)
    for pos, mask in data.draw(st.lists(st.tuples(st.integers(0, len(source) - 1),
                                                  st.integers(1, 255)), max_size=4)):
        source[pos] ^= mask
    limits = Limits(max_uncompressed=data.draw(st.integers(0, 20000)),
                    max_member=data.draw(st.integers(0, 20000)),
                    max_ratio=data.draw(st.floats(0.5, 300)),
                    max_members=data.draw(st.integers(0, 20)))
    check_total(tmp_path / "tight.xlsx", bytes(source), limits)
