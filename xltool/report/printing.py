"""Pages that print: page set-up and row heights for the sheets this tool writes with xlsxwriter.

Neither Excel nor LibreOffice fits a row's height to wrapped text in a file written by xlsxwriter or
openpyxl (a row without a stored height keeps the default 13.5–15 pt on open), so long text in a
wrapped cell is cut on screen and on paper. :func:`row_height` estimates the height from the text's
display width (a CJK character is as wide as two Latin ones) and the column's width.
"""

from __future__ import annotations

import math

A4 = 9  # xlsxwriter paper code
LINE_PT = 15.0  # one line of 宋体 11 pt (Excel spaces it 14.25 pt, WPS a little more)
PAD_PT = 3.0


def text_width(text: str) -> int:
    """Display width in half-width characters: CJK and full-width characters count two."""
    return sum(2 if _wide(ch) else 1 for ch in text)


def _wide(ch: str) -> bool:
    o = ord(ch)
    return o >= 0x1100 and (o <= 0x115F or 0x2E80 <= o <= 0xA4CF or 0xAC00 <= o <= 0xD7A3 or 0xF900 <= o <= 0xFAFF
                            or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFF60 or 0xFFE0 <= o <= 0xFFE6
                            or 0x20000 <= o <= 0x3FFFD)


def lines_needed(text: str, width: float, *, font_size: float = 11) -> int:
    """Lines a wrapped ``text`` takes in a column ``width`` characters wide (Excel's column width unit).

    A column of width w is 7w + 5 pixels; a 宋体 character at 11 pt is about 15 pixels, a Latin one
    about half that. Latin words are kept whole when wrapped, so the estimate leaves a tenth of the
    width spare.
    """
    if not text:
        return 1
    per_line = max(1.0, (width * 0.9 - 1) * 11 / font_size)
    return sum(max(1, math.ceil(text_width(part) / per_line)) for part in str(text).split("\n"))


def row_height(cells, *, font_size: float = 11, minimum: float = 15.0, maximum: float = 409.0) -> float:
    """The height (points) a row needs so that every wrapped cell shows in full.

    ``cells``: (text, width) pairs — width in characters, the sum of the widths of a merged range.
    """
    lines = max([lines_needed(t, w, font_size=font_size) for t, w in cells if t] or [1])
    line = LINE_PT * font_size / 11
    return min(maximum, max(minimum, round(lines * line + PAD_PT, 2)))


def page_setup(ws, *, landscape: bool, repeat: tuple[int, int] | int | None = None, one_page: bool = False,
               footer: bool = True, margins: tuple[float, float, float, float] = (0.4, 0.4, 0.6, 0.6)) -> None:
    """A4, the given orientation, fit to the page width (and height too with ``one_page``), centred,
    header rows ``repeat`` (first, last; 0-based) printed on every page, page numbers in the footer."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 1 if one_page else 0)
    ws.center_horizontally()
    left, right, top, bottom = margins
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    if footer:
        ws.set_footer("&C第 &P 页，共 &N 页")
    if repeat is not None:
        first, last = (repeat, repeat) if isinstance(repeat, int) else repeat
        ws.repeat_rows(first, last)
