"""Where each row of a big worksheet part starts, measured while calamine reads the sheet.

The annotated copy's writer streams a worksheet part and cuts it into rows to patch them
(``xltool.report.xlsxfast.rewrite_sheet``). For a sheet of 100,000 rows that cutting (counting, matching every
row's start tag, reading its number) is a tenth of the whole check. It needs nothing the check decides, so it
is done during the read, by the process that proves big parts well-formed beside calamine's read
(``io.scan.Proof``): it inflates the part anyway, and works on the other core. The writer then only slices
(``RowMap.cut``). (Mapping in a thread of this process, while calamine read, slowed the read as much as it
saved: the proof already had the other core.)

A map is made only for a part written the plain way (rows back to back, each start tag beginning
``<row r="N"``, numbers increasing; no comments, processing instructions or extLst inside sheetData), the way
Excel, WPS and openpyxl write. Anything else gives no map, and the writer cuts as it always did. The map
remembers the part's CRC and size: the writer uses it only for the very same bytes.
"""

from __future__ import annotations

import re
import zipfile
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

CHUNK = 1 << 20

_ROW_START_R = re.compile(rb"""(<row r="([0-9]+)"(?:[^>"']|"[^"]*"|'[^']*')*>)""")


@dataclass
class RowMap:
    part: str
    crc: int
    size: int
    at: array  # offset of each row's "<row" in the inflated part
    taglen: array  # length of each row's start tag
    num: array  # each row's number, 0-based
    stop: int  # offset just after the last "</row>"

    def matches(self, info: zipfile.ZipInfo) -> bool:
        return info.filename == self.part and info.CRC == self.crc and info.file_size == self.size

    def cut(self, region: bytes, start: int, prev: int):
        """``region`` (whole rows, found at offset ``start`` of the part) as the writer's bulk path wants it:
        (start tags, rows without their "</row>" and b"" after the last, row numbers); None when the region's
        ends are not where this map has rows (the writer then cuts it itself)."""
        at = self.at
        i0 = bisect_left(at, start)
        if i0 >= len(at) or at[i0] != start:
            return None
        end = start + len(region)
        i1 = bisect_left(at, end, i0)
        if not ((i1 < len(at) and at[i1] == end) or (i1 == len(at) and end == self.stop)):
            return None
        pieces = region.split(b"</row>")
        if len(pieces) != i1 - i0 + 1:
            return None
        nums = self.num[i0:i1].tolist()
        if nums[0] <= prev:
            return None
        starts = [p[:t] for p, t in zip(pieces, self.taglen[i0:i1])]
        return starts, pieces, nums


class Mapper:
    """Fed a worksheet part's inflated bytes chunk by chunk (beside the well-formedness proof, which inflates
    them anyway); ``result()`` is its RowMap, or None when the part is not written the plain way."""

    def __init__(self, info: zipfile.ZipInfo):
        self.info = info
        self.at, self.taglen, self.num = array("q"), array("I"), array("i")
        self.carry = b""
        self.base = 0  # offset of carry[0] in the part
        self.opened = False  # past the <sheetData> start tag
        self.prev = -1
        self.failed = False

    def feed(self, chunk: bytes) -> None:
        if self.failed:
            return
        try:
            self._feed(chunk)
        except Exception:  # only a shortcut: anything odd means no map
            self.failed = True

    def _feed(self, chunk: bytes) -> None:
        buf = self.carry + chunk if self.carry else chunk
        if not self.opened:
            i = buf.find(b"<sheetData")
            j = buf.find(b">", i) if i >= 0 else -1
            if j < 0:
                self.carry = buf
                return
            if buf[j - 1:j] == b"/":
                self.failed = True  # no rows
                return
            self.opened = True
            self.base += j + 1
            buf = buf[j + 1:]
        last = buf.rfind(b"</row>")
        if last < 0:
            self.carry = buf
            return
        region = buf[:last + 6]
        n = region.count(b"</row>")
        if (not region.startswith(b"<row") or region.count(b"<row") != n
                or region.count(b"</row><row") != n - 1
                or (b"!" in region and b"<!" in region) or (b"?" in region and b"<?" in region)
                or b"extLst" in region or b"</sheetData" in region):
            self.failed = True
            return
        found = _ROW_START_R.findall(region)
        if len(found) != n:
            self.failed = True
            return
        rows = [int(x[1]) - 1 for x in found]
        if rows[0] <= self.prev or any(a >= b for a, b in zip(rows, rows[1:])):
            self.failed = True
            return
        self.prev = rows[-1]
        self.num.extend(rows)
        self.taglen.extend(map(len, (x[0] for x in found)))
        lens = [len(p) + 6 for p in region.split(b"</row>")]
        lens.pop()  # the empty piece after the last "</row>"
        self.at.extend(accumulate(lens[:-1], initial=self.base))
        self.base += last + 6
        self.carry = buf[last + 6:]

    def result(self) -> RowMap | None:
        if (self.failed or not self.opened or not self.carry.startswith(b"</sheetData") or not len(self.at)
                or not len(self.at) == len(self.num) == len(self.taglen)):
            return None
        info = self.info
        return RowMap(info.filename, info.CRC, info.file_size, self.at, self.taglen, self.num, self.base)


def build(zf: zipfile.ZipFile, part: str) -> RowMap | None:
    """The row map of worksheet ``part`` (inflated here), or None when it is not written the plain way."""
    from xltool.io.safety import DEFAULT_LIMITS, iter_member

    info = zf.getinfo(part)
    mapper = Mapper(info)
    for chunk in iter_member(zf, info, DEFAULT_LIMITS.max_member, chunk_size=CHUNK):
        mapper.feed(chunk)
    return mapper.result()


# The wire between the proving process and this one: per map a header line of JSON, then its three arrays.

def dump(maps: list[RowMap], out) -> None:
    import json

    for m in maps:
        head = {"part": m.part, "crc": m.crc, "size": m.size, "stop": m.stop, "n": len(m.at)}
        out.write(json.dumps(head).encode("ascii") + b"\n")
        for a in (m.at, m.taglen, m.num):
            out.write(a.tobytes())


def load(data: bytes) -> dict[str, RowMap]:
    """Maps written by ``dump`` (by our own proving process); anything malformed gives no map."""
    import json

    out: dict[str, RowMap] = {}
    pos = 0
    try:
        while pos < len(data):
            eol = data.index(b"\n", pos)
            head = json.loads(data[pos:eol])
            pos = eol + 1
            n = int(head["n"])
            arrays = []
            for code in ("q", "I", "i"):
                a = array(code)
                size = n * a.itemsize
                if pos + size > len(data):
                    return {}
                a.frombytes(data[pos:pos + size])
                pos += size
                arrays.append(a)
            out[str(head["part"])] = RowMap(str(head["part"]), int(head["crc"]), int(head["size"]), *arrays,
                                            int(head["stop"]))
    except (ValueError, KeyError, TypeError):
        return {}
    return out
