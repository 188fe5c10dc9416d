"""The management self-assessment (绩效管理自评表, seed 001): reader, layouts and every rule."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltool import kinds, profiles
from xltool.cells import a1
from xltool.engine import check_file
from xltool.io.book import load_book

ROOT = Path(__file__).resolve().parents[1]
SEED001 = ROOT / "samples" / "东史端镇2023年度绩效管理自评表.xlsx"
SAMPLES = ROOT / "samples"

# Seed 001's eight categories (满分, 得分): scores add up to 89 of 92; the seed states 91 and 98.91.
CATS = [
    ("重大政策落实", 12, 11), ("预算编制管理", 12, 12), ("预算执行管理", 24, 23), ("预算绩效管理", 22, 21.5),
    ("资产管理", 5, 4.5), ("预算透明度", 7, 7), ("预算信息化", 10, 10), ("存在问题扣分", 0, 0),
]


def run(path, profile="national"):
    return check_file(path, profiles.load(profile), write=False)


def found(report, rule=None):
    return sorted((f.rule, f.cell) for f in report.findings if rule is None or f.rule == rule)


def only(report, rule):
    fs = [f for f in report.findings if f.rule == rule]
    assert len(fs) == 1, [(f.rule, f.cell, f.message) for f in report.findings]
    return fs[0]


def write(path: Path, cats=CATS, *, total=(92, 89), converted=96.74, order=("序号", "评价内容", "满分", "得分", "说明"),
          top=2, left=0, blank_rows=(), title="某镇2023年度绩效管理自评表", grade=None, converted_as="row",
          sheet="绩效管理自评表"):
    """Write a management table; returns {name: A1 ref}. ``converted_as``: row / column / line / None."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.cell(1, 1, title)
    header = list(order) + (["换算得分"] if converted_as == "column" else [])
    col = {h: i for i, h in enumerate(header)}
    refs: dict[str, str] = {}
    r = top

    def put(row_values: dict, **names):
        nonlocal r
        for h, v in row_values.items():
            if h in col and v not in ("", None):
                ws.cell(r + 1, left + col[h] + 1, v)
        for k, h in names.items():
            refs[k] = a1(r, left + col[h])
        r += 1

    put({h: h for h in header})
    for i, (name, full, got) in enumerate(cats, 1):
        if i in blank_rows:
            r += 1
        put({"序号": i, "评价内容": name, "满分": full, "得分": got, "说明": "说明"},
            **{f"f:{name}": "满分", f"s:{name}": "得分"})
    if total is not None:
        vals = {"评价内容": "合计", "满分": total[0], "得分": total[1]}
        if "评价内容" not in col:
            vals = {header[0]: "合计", "满分": total[0], "得分": total[1]}
        if converted_as == "column":
            vals["换算得分"] = converted
            put(vals, total_full="满分", total="得分", converted="换算得分")
        else:
            put(vals, total_full="满分", total="得分")
    if converted_as == "row":
        put({"评价内容": "换算得分", "满分": 100, "得分": converted, "说明": "换算得分=得分÷满分×100"}, converted="得分")
    elif converted_as == "line":
        ws.cell(r + 1, left + 1, f"换算得分：{converted}分")
        refs["converted"] = a1(r, left)
        r += 1
    if grade is not None:
        ws.cell(r + 1, left + 1, "评价等级")
        ws.cell(r + 1, left + 2, grade)
        refs["grade"] = a1(r, left + 1)
        r += 1
    wb.save(path)
    return refs


# ---------------------------------------------------------------- seed 001 (own copy)

def test_seed_001_total_error_and_converted_follows_it(tmp_path):
    """Seed 001: the 合计 91 is the one error (the items add up to 89). Its 换算得分 98.91 is 91 ÷ 92 × 100, worked
    out right from the wrong 合计: a warning naming D12 and the 96.74 it should become, not a second error."""
    refs = write(tmp_path / "t.xlsx", total=(92, 91), converted=98.91)
    r = run(tmp_path / "t.xlsx")
    assert r.sheets[0].kind == "management-table"
    assert found(r) == [("MT003", "D12"), ("MT004", "D13")] == [("MT003", refs["total"]), ("MT004", refs["converted"])]
    t = only(r, "MT003")
    assert (t.expected, t.found, t.severity) == (89, 91, "error")
    assert t.message == "合计得分应为 89（8 项得分之和：11 + 12 + 23 + 21.5 + 4.5 + 7 + 10 － 0），表中为 91。"
    c = only(r, "MT004")
    assert c.expected == pytest.approx(96.74) and c.found == pytest.approx(98.91) and c.severity == "warning"
    assert c.message == ("换算得分 98.91 是按表中的合计得分 91 ÷ 合计满分 92 × 100 算出的，计算本身无误；"
                         "但 D12（表中为 91，应为 89）有误，改正后换算得分应为 96.74，请一并改正。")
    res = r.sheets[0].results
    assert res == {"total_score": 89, "full_score": 92, "converted_score": 96.74, "grade": "优", "stated_total": 91}


def test_clean_table_has_no_findings(tmp_path):
    write(tmp_path / "t.xlsx")
    r = run(tmp_path / "t.xlsx")
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]


def test_reader(tmp_path):
    write(tmp_path / "t.xlsx")
    sheet = load_book(tmp_path / "t.xlsx", "xlsx").sheets[0]
    mod = kinds.classify(sheet)
    assert mod.NAME == "management-table"
    t = mod.read(sheet)
    assert [c.name.value for c in t.categories] == [c[0] for c in CATS]
    assert [c.deduction for c in t.categories] == [False] * 7 + [True]
    assert t.total_score.value == 89 and t.converted.value == 96.74


# ---------------------------------------------------------------- layout variants

@pytest.mark.parametrize("order", [
    ("序号", "评价内容", "得分", "满分", "说明"),
    ("评价内容", "说明", "满分", "得分"),
    ("考核内容", "分值", "自评得分", "扣分原因"),
])
def test_column_orders(tmp_path, order):
    refs = _write_renamed(tmp_path / "t.xlsx", order, CATS, total=(92, 91), converted=98.91)
    r = run(tmp_path / "t.xlsx")
    assert found(r) == sorted([("MT003", refs["total"]), ("MT004", refs["converted"])])


def _write_renamed(path, order, cats, **kw):
    """Like ``write`` with header words replaced (考核内容 → 评价内容 …) after writing."""
    canon = {"考核内容": "评价内容", "分值": "满分", "自评得分": "得分", "扣分原因": "说明"}
    refs = write(path, cats, order=tuple(canon.get(h, h) for h in order), **kw)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows():
        for c in row:
            if c.value in canon.values() and c.row == 3:
                back = {v: k for k, v in canon.items()}
                if back.get(c.value) in order:
                    c.value = back[c.value]
    wb.save(path)
    return refs


def test_moved_block_blank_rows_and_text_numbers(tmp_path):
    cats = [(n, str(f), f"{g}分" if n == "资产管理" else g) for n, f, g in CATS]
    refs = write(tmp_path / "t.xlsx", cats, top=6, left=2, blank_rows=(3, 6), total=(92, 91), converted=98.91)
    r = run(tmp_path / "t.xlsx")
    assert found(r, "MT003") == [("MT003", refs["total"])]
    assert found(r, "MT004") == [("MT004", refs["converted"])]
    # 8 满分 typed as text: one run across the two blank rows, what an officer sees as one column stretch (one
    # warning per run, issue 11; a blank row no longer splits it), and "4.5分" alone among real 得分 numbers
    text = found(r, "IN001")
    assert len(text) == 2
    runs = [f.message for f in r.findings if f.rule == "IN001" and "共" in f.message]
    assert len(runs) == 1 and "共 8 个单元格" in runs[0]
    assert r.sheets[0].results["total_score"] == 89


def test_converted_as_a_column(tmp_path):
    refs = write(tmp_path / "t.xlsx", total=(92, 89), converted=98.91, converted_as="column")
    r = run(tmp_path / "t.xlsx")
    f = only(r, "MT004")
    assert f.cell == refs["converted"] and f.expected == pytest.approx(96.74)


def test_converted_as_a_text_line(tmp_path):
    refs = write(tmp_path / "t.xlsx", total=(92, 89), converted=98.91, converted_as="line")
    r = run(tmp_path / "t.xlsx")
    f = only(r, "MT004")
    assert f.cell == refs["converted"] and f.found == pytest.approx(98.91)

@pytest.mark.parametrize("label_merged", [False, True])
def test_converted_in_a_cell_merged_across_full_and_score(tmp_path, label_merged):
    """Seed 001's values with 换算得分 98.91 in one cell merged over the 满分 and 得分 columns."""
    p = tmp_path / "t.xlsx"
    refs = write(p, total=(92, 91), converted=None)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    row = next(c.row for col in ws.iter_cols() for c in col if c.value == "换算得分")
    ws.cell(row, 3).value = ws.cell(row, 4).value = None
    ws.cell(row, 3).value = 98.91
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
    if label_merged:  # 换算得分 written over 序号 and 评价内容
        ws.cell(row, 1).value = "换算得分"
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    wb.save(p)
    r = run(p)
    assert found(r) == [("MT003", refs["total"]), ("MT004", f"C{row}")]
    f = only(r, "MT004")
    assert f.expected == pytest.approx(96.74) and f.found == pytest.approx(98.91)



def test_converted_rounded_to_one_decimal_is_fine(tmp_path):
    write(tmp_path / "t.xlsx", converted=96.7)
    assert found(run(tmp_path / "t.xlsx"), "MT004") == []


# ---------------------------------------------------------------- deduction category

@pytest.mark.parametrize("written", [-2, 2])
def test_deduction_written_either_sign_means_minus(tmp_path, written):
    cats = CATS[:-1] + [("存在问题扣分", 0, written)]
    write(tmp_path / "t.xlsx", cats, total=(92, 87), converted=round(87 / 92 * 100, 2))
    r = run(tmp_path / "t.xlsx")
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]
    assert r.sheets[0].results["total_score"] == 87


def test_deduction_added_instead_of_subtracted(tmp_path):
    cats = CATS[:-1] + [("存在问题扣分", 0, 2)]
    refs = write(tmp_path / "t.xlsx", cats, total=(92, 91), converted=round(87 / 92 * 100, 2))
    f = only(run(tmp_path / "t.xlsx"), "MT003")
    assert f.cell == refs["total"] and f.expected == 87
    assert "11 + 12 + 23 + 21.5 + 4.5 + 7 + 10 － 2" in f.message
    assert "扣分项的 2 分应当减去，表中合计却把它加上了" in f.message


# ---------------------------------------------------------------- every rule, both ways

def test_mt001_score_above_full(tmp_path):
    cats = [("资产管理", 5, 5.5) if c[0] == "资产管理" else c for c in CATS]
    refs = write(tmp_path / "t.xlsx", cats, total=(92, 90), converted=round(90 / 92 * 100, 2))
    r = run(tmp_path / "t.xlsx")
    f = only(r, "MT001")
    assert f.cell == refs["s:资产管理"] and "“资产管理”的得分 5.5 超过了满分 5" in f.message
    assert r.errors == 1


def test_mt001_negative_score_and_deduction_cap(tmp_path):
    cats = [("资产管理", 5, -1) if c[0] == "资产管理" else c for c in CATS[:-1]] + [("存在问题扣分", 3, -5)]
    refs = write(tmp_path / "t.xlsx", cats, total=None, converted_as=None)
    r = run(tmp_path / "t.xlsx")
    assert found(r, "MT001") == sorted([("MT001", refs["s:资产管理"]), ("MT001", refs["s:存在问题扣分"])])


def test_mt002_full_total(tmp_path):
    refs = write(tmp_path / "t.xlsx", total=(100, 89), converted=96.74)
    f = only(run(tmp_path / "t.xlsx"), "MT002")
    assert f.cell == refs["total_full"] and (f.expected, f.found) == (92, 100)
    assert f.message == "合计满分应为 92（7 类满分之和：12 + 12 + 24 + 22 + 5 + 7 + 10），表中为 100。"


def test_mt003_passes_when_right(tmp_path):
    write(tmp_path / "t.xlsx", total=(92, 89))
    assert found(run(tmp_path / "t.xlsx"), "MT003") == []


def test_mt004_uses_recomputed_full_when_stated_full_is_wrong(tmp_path):
    refs = write(tmp_path / "t.xlsx", total=(100, 89), converted=89)
    r = run(tmp_path / "t.xlsx")
    assert found(r) == sorted([("MT002", refs["total_full"]), ("MT004", refs["converted"])])
    c = only(r, "MT004")  # 89 ÷ 100 × 100 from the wrong 合计满分: follows it
    assert c.severity == "warning" and c.expected == pytest.approx(96.74)
    assert "合计满分 100 × 100 算出的" in c.message and "C12（表中为 100，应为 92）" in c.message
    assert only(r, "MT002").severity == "error"


def test_mt004_wrong_even_from_the_stated_total_is_an_error(tmp_path):
    """合计 91 is wrong, but 97.5 is not 91 ÷ 92 × 100 either: the 换算得分 is its own error."""
    refs = write(tmp_path / "t.xlsx", total=(92, 91), converted=97.5)
    r = run(tmp_path / "t.xlsx")
    assert sorted((f.rule, f.cell, f.severity) for f in r.findings) == [
        ("MT003", refs["total"], "error"), ("MT004", refs["converted"], "error")]


def test_mt005_grade(tmp_path):
    cats = [(n, f, g * 0.8 if not n.startswith("存在") else g) for n, f, g in CATS]  # 71.2 of 92 → 77.39 → 中
    tot = round(sum(c[2] for c in cats), 4)
    refs = write(tmp_path / "t.xlsx", cats, total=(92, tot), converted=round(tot / 92 * 100, 2), grade="良好")
    r = run(tmp_path / "t.xlsx")
    f = only(r, "MT005")
    assert f.cell == refs["grade"] and f.expected == "中" and f.found == "良好"
    assert r.errors == 1


def test_mt005_grade_right_in_either_vocabulary(tmp_path):
    for word in ("优秀", "优"):
        write(tmp_path / "t.xlsx", grade=word)
        assert found(run(tmp_path / "t.xlsx"), "MT005") == []


def test_mt006_missing(tmp_path):
    cats = [("预算透明度", 7, "") if c[0] == "预算透明度" else c for c in CATS]
    refs = write(tmp_path / "t.xlsx", cats, total=(92, 82), converted=round(82 / 92 * 100, 2))
    r = run(tmp_path / "t.xlsx")
    f = only(r, "MT006")
    assert f.cell == refs["s:预算透明度"] and "“预算透明度”的得分未填写" in f.message
    assert r.errors == 1


def _write_with_parts(path, policy_score=11, policy_full=12):
    """Categories numbered （一）… with sub-items 1. 2. 3. under the first one."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某镇2023年度绩效管理自评表"])
    ws.append(["序号", "评价内容", "满分", "得分", "说明"])
    ws.append(["一", "重大政策落实", policy_full, policy_score, ""])
    ws.append([1, "专项资金管理", 4, 4, ""])
    ws.append([2, "“三保”支出保障", 4, 3.5, ""])
    ws.append([3, "落实过紧日子要求", 4, 3.5, ""])
    for i, (n, f, g) in enumerate(CATS[1:], 2):
        ws.append(["二三四五六七八"[i - 2], n, f, g, ""])
    ws.append(["", "合计", 92, 89, ""])
    ws.append(["", "换算得分", 100, 96.74, ""])
    wb.save(path)


def test_sub_items_are_parts_of_their_category(tmp_path):
    _write_with_parts(tmp_path / "t.xlsx")
    r = run(tmp_path / "t.xlsx")
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]
    sheet = load_book(tmp_path / "t.xlsx", "xlsx").sheets[0]
    t = kinds.classify(sheet).read(sheet)
    assert len(t.categories) == 8 and [p.name.value for p in t.categories[0].parts] == [
        "专项资金管理", "“三保”支出保障", "落实过紧日子要求"]


def test_mt007_category_against_its_parts(tmp_path):
    _write_with_parts(tmp_path / "t.xlsx", policy_score=12, policy_full=13)
    r = run(tmp_path / "t.xlsx")
    assert found(r, "MT007") == [("MT007", "C3"), ("MT007", "D3")]
    f = next(f for f in r.findings if f.cell == "D3")
    assert f.message == "“重大政策落实”的得分应为 11（3 个分项得分之和：4 + 3.5 + 3.5），表中为 12。"


# ---------------------------------------------------------------- detection

def _sheet(tmp_path, rows, name="x.xlsx"):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / name)
    return load_book(tmp_path / name, "xlsx").sheets[0]


def test_detection(tmp_path):
    from xltool.kinds import management

    generic = _sheet(tmp_path, [["序号", "项目", "满分", "得分"], [1, "甲", 10, 9], [2, "乙", 10, 8]], "g.xlsx")
    assert not management.detect(generic)  # no 绩效管理 / 换算得分 / category words
    score = _sheet(tmp_path, [["绩效管理评分"], ["一级指标", "二级指标", "三级指标", "分值", "得分"]], "s.xlsx")
    assert not management.detect(score)
    weighted = _sheet(tmp_path, [["绩效管理"], ["评价内容", "满分", "得分", "权重"]], "w.xlsx")
    assert not management.detect(weighted)
    no_title = _sheet(tmp_path, [["评价内容", "满分", "得分"]] + [[c[0], c[1], c[2]] for c in CATS], "n.xlsx")
    assert management.detect(no_title)  # recognised by its category names
    for p in SAMPLES.glob("*.xlsx"):
        for s in load_book(p, "xlsx").sheets:
            if "绩效管理" not in p.name:
                assert not management.detect(s), p.name


def test_cli_json(tmp_path):
    from xltool.cli import main

    write(tmp_path / "t.xlsx", total=(92, 91), converted=98.91)
    res = CliRunner().invoke(main, ["check", "--no-write", "--format", "json", str(tmp_path / "t.xlsx")],
                             catch_exceptions=False)
    assert res.exit_code == 1
    f = json.loads(res.output)["files"][0]
    assert f["sheets"][0]["kind"] == "management-table"
    assert f["sheets"][0]["results"]["converted_score"] == 96.74
    assert [(x["rule"], x["cell"], x["expected"], x["found"]) for x in f["findings"]] == [
        ("MT003", "D12", 89, 91), ("MT004", "D13", 96.74, 98.91)]


# ---------------------------------------------------------------- the shipped sample

@pytest.mark.skipif(not SEED001.exists(), reason="samples/东史端镇…绩效管理自评表.xlsx not generated yet (tests/fixtures/build_fixtures.py)")
def test_shipped_seed_001_sample(tmp_path):
    r = check_file(SEED001, profiles.load(), out_dir=tmp_path)
    assert r.sheets[0].kind == "management-table"
    assert [(f.rule, f.cell, f.expected, f.found, f.severity) for f in r.findings] == [
        ("MT003", "D12", 89, 91, "error"), ("MT004", "D13", 96.74, 98.91, "warning")]
    assert r.sheets[0].results["converted_score"] == 96.74
    ws = openpyxl.load_workbook(r.output)[r.sheets[0].name]
    assert "89" in ws["D12"].comment.text and "96.74" in ws["D13"].comment.text
