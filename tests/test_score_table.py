"""The scored indicator table (部门整体支出绩效评价指标评分表, seed 003): reader, layouts and every rule."""

from __future__ import annotations

import copy
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
SEED003 = ROOT / "samples" / "高邑镇2024年度部门整体支出绩效评价指标评分表.xlsx"
SAMPLES = ROOT / "samples"
REALWORLD = Path(__file__).resolve().parents[1].parent / "shared" / "realworld"

# Seed 003's indicators: (一级, 分值, [(二级, 分值, [(三级, 分值, 得分)])]); the scores add up to 94.75.
DATA = [
    ("投入", 20, [
        ("绩效目标指标管理", 10, [("绩效目标科学性", 7, 7), ("绩效指标科学性", 3, 3)]),
        ("预算编制", 10, [("预算编制完整性", 2, 2), ("项目预算功能分类等编制合规性", 6, 6), ("预算上报及时性", 2, 2)]),
    ]),
    ("过程", 40, [
        ("预算执行", 25, [("收入预算完成率", 2, 2), ("预算调整率", 3, 2), ("支出进度", 4, 3), ("资金结余结转率", 2, 2),
                      ("“三公经费”控制率", 2, 2), ("政府采购执行率", 2, 2), ("决策真实性", 2, 2),
                      ("资金使用合规性", 4, 4), ("财务管理规范性", 4, 3.75)]),
        ("预算管理", 7, [("管理制度健全性", 2, 2), ("预决算信息公开性", 2, 2), ("基础信息完善性", 1, 1),
                      ("资产管理规范性", 2, 2)]),
        ("绩效评价", 8, [("绩效自评覆盖率", 4, 4), ("评价结果应用率", 4, 4)]),
    ]),
    ("产出", 25, [
        ("数量指标", 10, [("项目建设", 2.5, 2.5), ("城市建设", 2.5, 2.5), ("乡村振兴", 2.5, 2.5), ("环境治理", 2.5, 2.5)]),
        ("质量指标", 10, [("招商引资工作", 2.5, 2.5), ("城市建设工作", 2.5, 2.5), ("乡村振兴工作", 2.5, 2.5),
                      ("环保工作", 2.5, 2.5)]),
        ("时效指标", 5, [("保障时间", 5, 5)]),
    ]),
    ("效果", 15, [("履职效益", 15, [("部门整体效益", 10, 8), ("社会公众满意度", 5, 4)])]),
]
TRUE_TOTAL = 94.75


def data():
    return copy.deepcopy(DATA)


def run(path, profile="national"):
    return check_file(path, profiles.load(profile), write=False)


def found(report, rule=None):
    return sorted((f.rule, f.cell) for f in report.findings if rule is None or f.rule == rule)


def only(report, rule):
    fs = [f for f in report.findings if f.rule == rule]
    assert len(fs) == 1, [(f.rule, f.cell, f.message) for f in report.findings]
    return fs[0]


# ---------------------------------------------------------------- builders

class Grid:
    """Rows of values with merges (0-based, relative to the table's top-left) and named positions."""

    def __init__(self):
        self.rows: list[list] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.at: dict[str, tuple[int, int]] = {}  # name → (row, col) inside the grid

    def add(self, row, **names):
        self.rows.append(list(row))
        for k, c in names.items():
            self.at[k] = (len(self.rows) - 1, c)
        return len(self.rows) - 1


def columns_grid(d, *, total=TRUE_TOTAL, mode="merged", grade="优秀", total_points=(100, 100, 100), blank_every=0):
    """一级 | 分值 | 二级 | 分值 | 三级 | 分值 | 得分 | 评分说明; ``mode`` merged / blank / repeat."""
    g = Grid()
    g.add(["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "得分", "评分说明"])
    n = 0
    for l1, p1, l2s in d:
        r1 = len(g.rows)
        for j, (l2, p2, l3s) in enumerate(l2s):
            r2 = len(g.rows)
            for k, (l3, p3, s3) in enumerate(l3s):
                first1, first2 = (j == 0 and k == 0), k == 0
                rep = mode == "repeat"
                g.add([l1 if first1 or rep else "", p1 if first1 or rep else "", l2 if first2 or rep else "",
                       p2 if first2 or rep else "", l3, p3, s3, "说明"],
                      **{f"p:{l3}": 5, f"s:{l3}": 6})
                if first2:
                    g.at[f"p2:{l2}"] = (len(g.rows) - 1, 3)
                if first1:
                    g.at[f"p1:{l1}"] = (len(g.rows) - 1, 1)
                n += 1
                if blank_every and n % blank_every == 0 and mode != "merged":
                    g.add([""] * 8)
            if mode == "merged" and len(g.rows) - 1 > r2:
                g.merges += [(r2, 2, len(g.rows) - 1, 2), (r2, 3, len(g.rows) - 1, 3)]
        if mode == "merged" and len(g.rows) - 1 > r1:
            g.merges += [(r1, 0, len(g.rows) - 1, 0), (r1, 1, len(g.rows) - 1, 1)]
    tp1, tp2, tp3 = total_points
    g.add(["合计", tp1, "", tp2, "", tp3, total, ""], total_p1=1, total_p2=3, total_p=5, total=6)
    if grade is not None:
        g.add(["评价等级", grade, "", "", "", "", "", ""], grade=1)
        g.merges.append((len(g.rows) - 1, 1, len(g.rows) - 1, 7))
    return g


def subtotal_grid(d, *, total=TRUE_TOTAL, named=False, grade="优秀", sub2=None, sub1=None, scores_first=False):
    """一级 | 二级 | 三级 | 分值 | 得分 (or 得分 | 分值) with 小计 rows per 二级 and per 一级, blank under first."""
    g = Grid()
    ps, ss = (4, 3) if scores_first else (3, 4)
    head = ["一级指标", "二级指标", "三级指标", "", "", "评分说明"]
    head[ps], head[ss] = "分值", "得分"
    g.add(head)
    sub2 = sub2 or {}
    sub1 = sub1 or {}

    def row(a, b, c, p, s):
        out = [a, b, c, "", "", ""]
        out[ps], out[ss] = p, s
        return out

    for l1, p1, l2s in d:
        s1 = 0
        for j, (l2, p2, l3s) in enumerate(l2s):
            for k, (l3, p3, s3) in enumerate(l3s):
                g.add(row(l1 if j == 0 and k == 0 else "", l2 if k == 0 else "", l3, p3, s3),
                      **{f"p:{l3}": ps, f"s:{l3}": ss})
            s2 = sum(x[2] for x in l3s)
            s1 += s2
            lab = f"{l2}小计" if named else "小计"
            p, s = sub2.get(l2, (p2, s2))
            g.add(row("", "", lab, p, s), **{f"sp2:{l2}": ps, f"ss2:{l2}": ss})
        lab = f"{l1}小计" if named else "小计"
        p, s = sub1.get(l1, (p1, s1))
        if named:
            g.add(row(lab, "", "", p, s), **{f"sp1:{l1}": ps, f"ss1:{l1}": ss})
        else:
            g.add(row("", lab, "", p, s), **{f"sp1:{l1}": ps, f"ss1:{l1}": ss})
    g.add(row("合计", "", "", 100, total), total_p=ps, total=ss)
    if grade is not None:
        g.add(["评价等级：" + grade, "", "", "", "", ""], grade=0)
    return g


def write(path: Path, g: Grid, *, top=2, left=0, title="某镇2024年度部门整体支出绩效评价指标评分表", lines=(), sheet="评分表"):
    """Write the grid at (top, left) (0-based); returns {name: A1 ref}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.cell(1, 1, title)
    for i, text in enumerate(lines):
        ws.cell(2 + i, 1, text)
    for r, row in enumerate(g.rows):
        for c, v in enumerate(row):
            if v == "" or v is None:
                continue
            ws.cell(top + r + 1, left + c + 1, v)
    for r0, c0, r1, c1 in g.merges:
        ws.merge_cells(start_row=top + r0 + 1, start_column=left + c0 + 1, end_row=top + r1 + 1, end_column=left + c1 + 1)
    wb.save(path)
    return {k: a1(top + r, left + c) for k, (r, c) in g.at.items()}


def build(tmp_path, g, name="t.xlsx", **kw):
    refs = write(tmp_path / name, g, **kw)
    return tmp_path / name, refs


# ---------------------------------------------------------------- seed 003 as published (own copy)

def test_seed_003_layout_total_error_at_stated_total(tmp_path):
    path, refs = build(tmp_path, columns_grid(data(), total=95.75), top=1)
    r = run(path)
    assert r.sheets[0].kind == "score-table"
    f = only(r, "ST006")
    assert f.cell == refs["total"] == "G34"
    assert f.expected == pytest.approx(94.75) and f.found == pytest.approx(95.75)
    assert f.message == ("合计得分应为 94.75（31 项三级指标得分之和，按一级指标：投入 20 + 过程 37.75 + 产出 25 + 效果 12），"
                         "表中为 95.75，相差 1。")
    assert r.errors == 1 and r.warnings == 0
    assert r.sheets[0].results == {"total_score": 94.75, "grade": "优", "stated_total": 95.75, "full_score": 100}


def test_clean_table_has_no_findings(tmp_path):
    path, _ = build(tmp_path, columns_grid(data()))
    r = run(path)
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]
    assert r.sheets[0].results["total_score"] == 94.75


def test_reader_builds_the_tree(tmp_path):
    path, _ = build(tmp_path, columns_grid(data()))
    sheet = load_book(path, "xlsx").sheets[0]
    mod = kinds.classify(sheet)
    assert mod.NAME == "score-table"
    t = mod.read(sheet)
    assert [g.title for g in t.groups] == ["投入", "过程", "产出", "效果"]
    assert [g.points.value for g in t.groups] == [20, 40, 25, 15]
    assert [g.title for g in t.groups[1].groups] == ["预算执行", "预算管理", "绩效评价"]
    assert len(t.groups[1].groups[0].items) == 9
    assert len(t.items) == 31
    assert t.items[-1].path == ("效果", "履职效益")
    assert t.grade.value == "优秀"


# ---------------------------------------------------------------- layout variants

@pytest.mark.parametrize("mode", ["merged", "blank", "repeat"])
def test_group_layouts_read_the_same(tmp_path, mode):
    path, refs = build(tmp_path, columns_grid(data(), total=95.75, mode=mode))
    r = run(path)
    assert found(r) == [("ST006", refs["total"])]
    assert r.sheets[0].results["total_score"] == 94.75


def test_moved_block_with_blank_rows_and_unit_lines(tmp_path):
    g = columns_grid(data(), total=95.75, mode="blank", blank_every=4)
    path, refs = build(tmp_path, g, top=7, left=2, lines=("单位：分", "", "评价单位：某镇人民政府"))
    r = run(path)
    assert found(r) == [("ST006", refs["total"])]
    assert refs["total"].startswith("I")


def test_subtotal_rows_instead_of_point_columns(tmp_path):
    path, refs = build(tmp_path, subtotal_grid(data(), total=95.75))
    r = run(path)
    assert found(r) == [("ST006", refs["total"])]
    assert r.sheets[0].results == {"total_score": 94.75, "grade": "优", "stated_total": 95.75, "full_score": 100}


def test_named_subtotal_rows_and_scores_before_points(tmp_path):
    path, refs = build(tmp_path, subtotal_grid(data(), named=True, scores_first=True))
    r = run(path)
    assert r.status == "ok", [(f.rule, f.cell, f.message) for f in r.findings]
    sheet = load_book(path, "xlsx").sheets[0]
    t = kinds.classify(sheet).read(sheet)
    assert [len(g.subtotals) for g in t.groups] == [1, 1, 1, 1]
    assert [len(g2.subtotals) for g in t.groups for g2 in g.groups] == [1] * 9


def test_text_numbers_are_read_and_warned(tmp_path):
    d = data()
    g = columns_grid(d, total="94.75")
    r0, c0 = g.at["s:财务管理规范性"]
    g.rows[r0][c0] = "3.75分"
    path, refs = build(tmp_path, g)
    r = run(path)
    assert r.errors == 0
    assert found(r, "IN001") == sorted([("IN001", refs["s:财务管理规范性"]), ("IN001", refs["total"])])
    assert r.sheets[0].results["total_score"] == 94.75


def test_two_row_header_with_parent_label(tmp_path):
    g = columns_grid(data(), total=95.75, mode="blank", grade=None)
    g.rows.insert(0, ["评价指标", "", "", "", "", "", "得分", "评分说明"])
    g.merges = [(0, 6, 1, 6), (0, 7, 1, 7), (0, 0, 0, 5)]
    g.at = {k: (r + 1, c) for k, (r, c) in g.at.items()}
    path, refs = build(tmp_path, g)
    r = run(path)
    assert found(r) == [("ST006", refs["total"])]


# ---------------------------------------------------------------- every rule, both ways

def test_st001_score_above_points(tmp_path):
    g = columns_grid(data(), total=95.75 - 0.75 + 1)  # keep the total consistent with the new item
    r0, c0 = g.at["s:财务管理规范性"]
    g.rows[r0][c0] = 5  # 分值 4
    path, refs = build(tmp_path, g)
    r = run(path)
    f = only(r, "ST001")
    assert f.cell == refs["s:财务管理规范性"]
    assert "“财务管理规范性”的得分 5 超过了分值 4" in f.message
    assert found(r, "ST006") == []  # 96 = the items as written


def test_st001_negative_score(tmp_path):
    g = columns_grid(data(), total=TRUE_TOTAL - 2 - 1)
    r0, c0 = g.at["s:预算上报及时性"]
    g.rows[r0][c0] = -1
    path, refs = build(tmp_path, g)
    f = only(run(path), "ST001")
    assert f.cell == refs["s:预算上报及时性"] and "不能为负数" in f.message


def test_st002_level_points_column_wrong(tmp_path):
    g = columns_grid(data())
    r0, c0 = g.at["p2:预算执行"]
    g.rows[r0][c0] = 24
    path, refs = build(tmp_path, g)
    r = run(path)
    f = only(r, "ST002")
    assert f.cell == refs["p2:预算执行"]
    assert f.expected == 25 and f.found == 24
    assert f.message == ("二级指标“预算执行”的分值应为 25（其下 9 个三级指标分值之和：2 + 3 + 4 + 2 + 2 + 2 + 2 + 4 + 4），"
                         "表中为 24。")


def test_st002_first_level_points_against_second_level(tmp_path):
    g = columns_grid(data())
    r0, c0 = g.at["p1:过程"]
    g.rows[r0][c0] = 45
    path, refs = build(tmp_path, g)
    f = only(run(path), "ST002")
    assert f.cell == refs["p1:过程"]
    assert "一级指标“过程”的分值应为 40（其下 3 个二级指标分值之和：预算执行 25 + 预算管理 7 + 绩效评价 8）" in f.message


def test_st002_subtotal_row_points(tmp_path):
    path, refs = build(tmp_path, subtotal_grid(data(), sub2={"预算管理": (8, 7)}))
    r = run(path)
    f = only(r, "ST002")
    assert f.cell == refs["sp2:预算管理"] and f.expected == 7 and f.found == 8


def test_st003_subtotal_scores(tmp_path):
    path, refs = build(tmp_path, subtotal_grid(data(), sub1={"过程": (40, 38.75)}))
    r = run(path)
    f = only(r, "ST003")
    assert f.cell == refs["ss1:过程"]
    assert f.expected == pytest.approx(37.75) and f.found == pytest.approx(38.75)
    assert "一级指标“过程”的小计得分应为 37.75（其下 3 个二级指标得分之和：预算执行 22.75 + 预算管理 7 + 绩效评价 8）" in f.message


def test_st003_clean_subtotals_pass(tmp_path):
    path, _ = build(tmp_path, subtotal_grid(data()))
    r = run(path)
    assert found(r, "ST003") == [] and found(r, "ST002") == []


def test_st004_total_points_not_the_sum(tmp_path):
    path, refs = build(tmp_path, columns_grid(data(), total_points=(100, 100, 95)))
    f = only(run(path), "ST004")
    assert f.cell == refs["total_p"] and f.expected == 100 and f.found == 95


def test_st005_items_do_not_add_to_100(tmp_path):
    d = data()
    d[1][2][1] = ("预算管理", 6, [("管理制度健全性", 2, 2), ("预决算信息公开性", 2, 2), ("基础信息完善性", 1, 1),
                                ("资产管理规范性", 1, 1)])
    d[1] = ("过程", 39, d[1][2])
    path, refs = build(tmp_path, columns_grid(d, total=TRUE_TOTAL - 1))
    r = run(path)
    f = only(r, "ST005")
    assert f.cell == refs["total_p"]
    assert f.expected == 100 and f.found == 99
    assert "各三级指标分值之和为 99" in f.message and "满分应为 100 分" in f.message
    assert found(r, "ST004") == []  # the stated 100 is the intended full score


def test_st006_passes_on_rounding_free_total(tmp_path):
    path, _ = build(tmp_path, columns_grid(data(), total=94.75))
    assert found(run(path), "ST006") == []


def test_st007_grade_wrong(tmp_path):
    d = data()
    d[3] = ("效果", 15, [("履职效益", 15, [("部门整体效益", 10, 0), ("社会公众满意度", 5, 0)])])  # total 82.75
    path, refs = build(tmp_path, columns_grid(d, total=82.75, grade="优秀"))
    r = run(path)
    f = only(r, "ST007")
    assert f.cell == refs["grade"]
    assert f.expected == "良" and f.found == "优秀"
    assert "按重算的总分 82.75，评价等级应为“良”" in f.message


@pytest.mark.parametrize("word", ["良好", "良", "评价等级为良好"])
def test_st007_grade_words_either_vocabulary(tmp_path, word):
    d = data()
    d[3] = ("效果", 15, [("履职效益", 15, [("部门整体效益", 10, 0), ("社会公众满意度", 5, 0)])])
    path, _ = build(tmp_path, columns_grid(d, total=82.75, grade=word))
    assert found(run(path), "ST007") == []


def test_st007_grade_follows_recomputed_not_stated_total(tmp_path):
    d = data()
    d[3] = ("效果", 15, [("履职效益", 15, [("部门整体效益", 10, 3), ("社会公众满意度", 5, 4)])])  # 89.75 → 良
    path, refs = build(tmp_path, columns_grid(d, total=90.75, grade="优秀"))
    r = run(path)
    assert found(r) == sorted([("ST006", refs["total"]), ("ST007", refs["grade"])])
    f = only(r, "ST007")
    assert "表中等级与表中合计 90.75 相符，但合计本身有误" in f.message


def test_st007_grade_line_in_subtotal_layout(tmp_path):
    path, refs = build(tmp_path, subtotal_grid(data(), grade="差"))
    f = only(run(path), "ST007")
    assert f.cell == refs["grade"] and f.expected == "优"


def test_st007_grade_column_read_on_the_total_row(tmp_path):
    g = columns_grid(data(), grade=None)
    g.rows[0].append("评价等级")
    for row in g.rows[1:-1]:
        row.append("")
    g.rows[-1].append("良")
    g.at["grade"] = (len(g.rows) - 1, 8)
    path, refs = build(tmp_path, g)
    f = only(run(path), "ST007")
    assert f.cell == refs["grade"] and (f.expected, f.found) == ("优", "良")


def test_st008_missing_score(tmp_path):
    g = columns_grid(data(), total=TRUE_TOTAL - 3)
    r0, c0 = g.at["s:支出进度"]
    g.rows[r0][c0] = ""
    path, refs = build(tmp_path, g)
    r = run(path)
    f = only(r, "ST008")
    assert f.cell == refs["s:支出进度"] and "“支出进度”的得分未填写" in f.message
    assert found(r, "ST006") == []


def test_deduction_item_counts_minus(tmp_path):
    d = data()
    d.append(("扣分项", 0, [("存在问题扣分", 0, [("违规问题扣分", 0, -2)])]))
    path, refs = build(tmp_path, columns_grid(d, total=TRUE_TOTAL - 2))
    r = run(path)
    assert r.errors == 0, [(f.rule, f.cell, f.message) for f in r.findings]
    assert r.sheets[0].results["total_score"] == TRUE_TOTAL - 2


# ---------------------------------------------------------------- detection

def _sheet(tmp_path, rows, name="x.xlsx"):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(tmp_path / name)
    return load_book(tmp_path / name, "xlsx").sheets[0]


def test_refuses_project_forms_and_summary(tmp_path):
    from xltool.kinds import score_table

    form = _sheet(tmp_path, [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
                             ["产出指标", "数量指标", "x", "≥1", "1", 10, 10]], "f.xlsx")
    weighted = _sheet(tmp_path, [["一级指标", "二级指标", "三级指标", "单项指标得分", "权重占比(%)", "折算得分"],
                                 ["产出指标", "数量指标", "x", 90, 20, 18]], "w.xlsx")
    summary = _sheet(tmp_path, [["序号", "项目名称", "预算数", "执行数", "自评得分"], [1, "a", 1, 1, 90]], "s.xlsx")
    for s in (form, weighted, summary):
        assert not score_table.detect(s)
    for p in SAMPLES.glob("*.xlsx"):
        for s in load_book(p, "xlsx").sheets:
            if "评分表" not in p.name:
                assert not score_table.detect(s), p.name


@pytest.mark.skipif(not REALWORLD.exists(), reason="../shared/realworld not present")
def test_refuses_every_sheet_of_the_real_exports():
    from xltool.kinds import management, score_table

    for p in sorted(REALWORLD.glob("*.xls")):
        for s in load_book(p, "xls").sheets:
            assert not score_table.detect(s) and not management.detect(s), (p.name, s.name)


def test_notes_below_the_header_do_not_refuse(tmp_path):
    g = columns_grid(data(), total=95.75)
    r0, _ = g.at["s:预算调整率"]
    g.rows[r0][7] = "按权重计分"
    g.rows[r0 + 1][7] = "实际完成值偏低"
    path, refs = build(tmp_path, g)
    assert found(run(path)) == [("ST006", refs["total"])]


def test_cli_json(tmp_path):
    from xltool.cli import main

    path, refs = build(tmp_path, columns_grid(data(), total=95.75))
    res = CliRunner().invoke(main, ["check", "--no-write", "--format", "json", str(path)], catch_exceptions=False)
    assert res.exit_code == 1
    doc = json.loads(res.output)
    f = doc["files"][0]
    assert f["sheets"][0]["kind"] == "score-table"
    assert f["sheets"][0]["results"]["total_score"] == 94.75
    assert [(x["rule"], x["cell"], x["expected"], x["found"]) for x in f["findings"]] == [("ST006", "G35", 94.75, 95.75)]


# ---------------------------------------------------------------- the shipped sample

@pytest.mark.skipif(not SEED003.exists(), reason="samples/高邑镇…评分表.xlsx not generated yet (tests/fixtures/build_fixtures.py)")
def test_shipped_seed_003_sample(tmp_path):
    r = check_file(SEED003, profiles.load(), out_dir=tmp_path)
    assert r.sheets[0].kind == "score-table"
    assert [(f.rule, f.cell, f.expected, f.found) for f in r.findings] == [("ST006", "G34", 94.75, 95.75)]
    assert r.sheets[0].results == {"total_score": 94.75, "grade": "优", "stated_total": 95.75, "full_score": 100}
    wb = openpyxl.load_workbook(r.output)
    ws = wb[r.sheets[0].name]
    assert "94.75" in ws["G34"].comment.text
