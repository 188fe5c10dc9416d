"""How fast is ``xltool check`` next to a bare openpyxl load + save of the same files?

Run:  python benchmarks/bench.py            (about two minutes on two cores)
      python benchmarks/bench.py --quick    (fewer repetitions, no 100,000-row table)

The script writes its own inputs into a temporary folder (summary tables in the officers' style:
merged title, borders, number formats, a 合计 row and about 2 % deliberate errors, so that the copies
carry highlights and notes), then measures each command as a whole process, start to end, in a fresh
Python interpreter: wall time, and peak memory (maximum resident set size, from ``wait4``). Every
measurement is repeated and the median taken; ratio = xltool ÷ openpyxl, measured in the same run.

(a) one 51-row summary:        ``xltool check F``       vs  python -c "openpyxl.load_workbook(F).save(G)"
(b) one 30,000-row summary:    the same, time and peak memory
(c) a folder of 300 summaries: ``xltool check DIR``     vs  one process looping load + save over them
(d) one 100,000-row summary:   time and peak memory of xltool (openpyxl's shown for reference)

Targets (not tests): (a) ≤ 1.3×, (b) ≤ 1.2× in time and in memory, (c) ≤ 0.8× (all cores at work).

The children run with bytecode caching allowed (``PYTHONDONTWRITEBYTECODE`` removed), as an installed
xltool does, and each command runs once before it is measured (warm caches on both sides).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"a": 1.3, "b": 1.2, "b_mem": 1.2, "c": 0.8}

OPENPYXL_ONE = "import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])"
OPENPYXL_LOOP = ("import os, sys, openpyxl\n"
                 "src, dst = sys.argv[1], sys.argv[2]\n"
                 "os.makedirs(dst, exist_ok=True)\n"
                 "for n in sorted(os.listdir(src)):\n"
                 "    wb = openpyxl.load_workbook(os.path.join(src, n)); wb.save(os.path.join(dst, n))\n")

HEADER = ["序号", "项目名称", "项目实施单位", "预算数（调整后）", "执行数", "执行率", "结余数", "结余交回财政数",
          "自评得分", "评价等级", "自评结果应用意见"]
WORDS = ["教育经费", "防汛工作经费", "绿化管护项目", "村级补助", "环境卫生保洁费", "道路修缮工程", "信访经费",
         "文化宣传费", "公益岗位工资", "安保服务项目", "固定资产购置费", "空间规划"]


# ------------------------------------------------------------------ inputs


def grade(score: float) -> str:
    return "优秀" if score >= 85 else "良好" if score >= 75 else "一般" if score >= 60 else "较差"


ROW_ERRORS = ("balance", "rate", "grade", "text")


def make_summary(path: Path, rows: int, seed: int = 1, errors: float = 0.02, kinds: tuple[str, ...] = ("stale",),
                 wrong_total: bool = False, planted: dict[str, list[str]] | None = None) -> Path:
    """A 部门绩效自评结果公开汇总表 as an officer's workbook looks, with a few deliberate errors.

    About ``errors`` of the rows carry one error of ``kinds``: "stale" (结余数 left at 0, or a grade not
    updated), "balance" (结余数 wrong), "rate" (执行率 wrong), "grade" (等级 wrong), "text" (执行数 typed as
    text: a warning); ``wrong_total``: the 合计 执行数 off by 100. ``planted`` is filled with the cells
    ({kind: [A1, …]}, "total" for the 合计)."""
    import xlsxwriter

    rnd = random.Random(seed)
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("汇总表")
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
    box = {**base, "border": 1}
    f_title = wb.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    f_left = wb.add_format({**base, "align": "left"})
    f_head = wb.add_format({**box, "bold": True, "align": "center", "text_wrap": True})
    f_text = wb.add_format({**box, "text_wrap": True})
    f_center = wb.add_format({**box, "align": "center"})
    f_amount = wb.add_format({**box, "num_format": "#,##0.00", "align": "right"})
    f_rate = wb.add_format({**box, "num_format": "0.00%", "align": "right"})
    last = len(HEADER) - 1
    ws.merge_range(0, 0, 0, last, "示例镇2023年度部门绩效自评结果公开汇总表", f_title)
    ws.merge_range(1, 0, 1, last, "主管部门：示例县示例镇人民政府", f_left)
    ws.merge_range(2, 0, 2, last, "单位：万元", f_left)
    for c, h in enumerate(HEADER):
        ws.write_string(3, c, h, f_head)
    tb = te = tbal = tret = 0.0
    for i in range(rows):
        r = 4 + i
        budget = round(rnd.uniform(5, 2000), 2)
        spent = budget if rnd.random() < 0.3 else round(budget * rnd.uniform(0.3, 1.0), 2)
        bal = round(budget - spent, 2)
        ret = round(bal * rnd.choice((0, 0, 1, 0.5)), 2)
        score = rnd.randint(55, 100)
        rate = round(spent / budget, 4)
        g = grade(score)
        shown_bal, shown_grade = bal, g
        kind = None
        if rnd.random() < errors:  # the errors a reviewer meets
            kind = kinds[0] if len(kinds) == 1 else rnd.choice(kinds)
        if kind == "stale":  # 结余数 left at 0, a grade not updated
            shown_bal, shown_grade = (0.0, g) if bal else (bal, "优秀" if g != "优秀" else "良好")
        elif kind == "balance":
            shown_bal = 0.0 if bal else round(budget * 0.1, 2)
        elif kind == "rate":
            rate = round(rate - 0.1 if rate > 0.5 else rate + 0.1, 4)
        elif kind == "grade":
            shown_grade = "优秀" if g != "优秀" else "良好"
        if kind is not None and planted is not None:
            col = {"balance": "G", "rate": "F", "grade": "J", "text": "E"}.get(kind, "G")
            planted.setdefault(kind, []).append(f"{col}{r + 1}")
        op = (f"评价结果{g}，继续推进此项目。" if rate >= 0.6 else
              f"评价结果{g}，调整优化支出结构，加强预算与实际支出的测算精度，确保绩效目标如期保质实现。")
        ws.write_number(r, 0, i + 1, f_center)
        ws.write_string(r, 1, f"2023年镇级{WORDS[i % len(WORDS)]}（第{i + 1}项）", f_text)
        ws.write_string(r, 2, "示例镇人民政府", f_text)
        ws.write_number(r, 3, budget, f_amount)
        if kind == "text":
            ws.write_string(r, 4, f"{spent:.2f}", f_text)
        else:
            ws.write_number(r, 4, spent, f_amount)
        ws.write_number(r, 5, rate, f_rate)
        ws.write_number(r, 6, shown_bal, f_amount)
        ws.write_number(r, 7, ret, f_amount)
        ws.write_number(r, 8, score, f_center)
        ws.write_string(r, 9, shown_grade, f_center)
        ws.write_string(r, 10, op, f_text)
        tb, te, tbal, tret = tb + budget, te + spent, tbal + shown_bal, tret + ret
    r = 4 + rows
    ws.write_blank(r, 0, None, f_head)
    ws.write_string(r, 1, "合计", f_head)
    ws.write_blank(r, 2, None, f_head)
    ws.write_number(r, 3, round(tb, 2), f_amount)
    ws.write_number(r, 4, round(te + (100 if wrong_total else 0), 2), f_amount)
    if wrong_total and planted is not None:
        planted.setdefault("total", []).append(f"E{r + 1}")
    ws.write_number(r, 5, round(te / tb, 4) if tb else 0, f_rate)
    ws.write_number(r, 6, round(tbal, 2), f_amount)
    ws.write_number(r, 7, round(tret, 2), f_amount)
    for c in (8, 9, 10):
        ws.write_blank(r, c, None, f_head)
    for c, w in enumerate((6, 40, 18, 13, 12, 10, 11, 12, 9, 9, 46)):
        ws.set_column(c, c, w)
    ws.freeze_panes(4, 2)
    ws.set_landscape()
    ws.repeat_rows(3)
    wb.close()
    return path


# ------------------------------------------------------------------ measuring


def child_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


# A small launcher runs each measured command: a child's peak memory (ru_maxrss) starts from the
# memory of the process it was forked from, so the command is forked from a fresh, small interpreter
# rather than from this script (which holds the generated inputs' memory).
LAUNCHER = """
import json, os, subprocess, sys, time
t0 = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - t0
peak = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024
print(json.dumps({"wall": wall, "peak": peak, "code": os.waitstatus_to_exitcode(status),
                  "err": err.decode("utf-8", "replace")[-2000:]}))
"""


def measure(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one process, start to end."""
    import json

    res = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], cwd=str(cwd), env=child_env(),
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"launcher failed: {res.stderr}")
    out = json.loads(res.stdout)
    if out["code"] not in (0, 1):  # xltool: 1 means "errors found", which the inputs have
        raise SystemExit(f"command failed ({out['code']}): {' '.join(cmd)}\n{out['err']}")
    return out["wall"], out["peak"]


def xltool_cmd() -> list[str]:
    script = Path(sys.executable).with_name("xltool")
    return [str(script)] if script.exists() else [sys.executable, "-m", "xltool"]


def compare(name: str, ours: list[str], theirs: list[str], cwd: Path, repeat: int, clean) -> dict:
    # one warm-up run of each, then alternate so that both see the same machine load
    clean()
    measure(ours, cwd)
    measure(theirs, cwd)
    ow, op, tw, tp = [], [], [], []
    for _ in range(repeat):
        clean()
        w, p = measure(ours, cwd)
        ow.append(w)
        op.append(p)
        w, p = measure(theirs, cwd)
        tw.append(w)
        tp.append(p)
    res = {"name": name, "ours": statistics.median(ow), "theirs": statistics.median(tw),
           "ours_mem": int(statistics.median(op)), "theirs_mem": int(statistics.median(tp))}
    res["ratio"] = res["ours"] / res["theirs"]
    res["mem_ratio"] = res["ours_mem"] / res["theirs_mem"]
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions; skip the 100,000-row table")
    ap.add_argument("--repeat", type=int, default=None, help="repetitions per measurement (default 5, quick 2)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args(argv)
    repeat = args.repeat or (2 if args.quick else 5)
    big_repeat = 1 if args.quick else 3

    from importlib.metadata import version

    import xltool

    tmp = Path(tempfile.mkdtemp(prefix="xltool-bench-"))
    print(f"xltool {xltool.__version__} · Python {platform.python_version()} · openpyxl {version('openpyxl')} · "
          f"python-calamine {version('python-calamine')} · {os.cpu_count()} cores · {platform.machine()}")
    print(f"inputs in {tmp}")
    try:
        t = time.perf_counter()
        s51 = make_summary(tmp / "s51.xlsx", 51, seed=1)
        s30k = make_summary(tmp / "s30k.xlsx", 30_000, seed=2)
        folder = tmp / "folder"
        folder.mkdir()
        for i in range(300):
            make_summary(folder / f"单位{i:03d}.xlsx", random.Random(i).randint(20, 80), seed=100 + i)
        s100k = None if args.quick else make_summary(tmp / "s100k.xlsx", 100_000, seed=3)
        print(f"inputs written in {time.perf_counter() - t:.1f} s\n")

        xl = xltool_cmd()
        out = tmp / "out"
        base_out = tmp / "base_out"

        def clean():
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(base_out, ignore_errors=True)
            base_out.mkdir()

        rows = []
        rows.append(compare("(a) 51-row summary", xl + ["check", "--out", str(out), str(s51)],
                            [sys.executable, "-c", OPENPYXL_ONE, str(s51), str(base_out / "a.xlsx")], tmp, repeat, clean))
        rows.append(compare("(b) 30,000 rows", xl + ["check", "--out", str(out), str(s30k)],
                            [sys.executable, "-c", OPENPYXL_ONE, str(s30k), str(base_out / "b.xlsx")], tmp, big_repeat,
                            clean))
        rows.append(compare("(c) folder of 300", xl + ["check", "--out", str(out), str(folder)],
                            [sys.executable, "-c", OPENPYXL_LOOP, str(folder), str(base_out / "c")], tmp, big_repeat,
                            clean))
        big = None
        if s100k is not None:
            big = compare("(d) 100,000 rows", xl + ["check", "--out", str(out), str(s100k)],
                          [sys.executable, "-c", OPENPYXL_ONE, str(s100k), str(base_out / "d.xlsx")], tmp, 1, clean)

        print(f"{'':24}{'xltool':>10}{'openpyxl':>10}{'ratio':>8}{'target':>8}   {'peak MB':>16}{'ratio':>8}")
        for r, key in zip(rows, ("a", "b", "c")):
            target = TARGETS[key]
            mark = "✓" if r["ratio"] <= target else "✗"
            mem = f"{r['ours_mem'] / 1024:7.0f} /{r['theirs_mem'] / 1024:6.0f}"
            mem_ratio = f"{r['mem_ratio']:.2f}×"
            if key == "b":
                mem_ratio += " ✓" if r["mem_ratio"] <= TARGETS["b_mem"] else " ✗"
            print(f"{r['name']:<22}{r['ours']:9.2f}s{r['theirs']:9.2f}s{r['ratio']:7.2f}×{'≤' + str(target):>7}{mark}"
                  f"   {mem:>16}{mem_ratio:>10}")
        if big is not None:
            print(f"{big['name']:<22}{big['ours']:9.2f}s{big['theirs']:9.2f}s{big['ratio']:7.2f}×{'':>8}   "
                  f"{big['ours_mem'] / 1024:7.0f} /{big['theirs_mem'] / 1024:6.0f}{big['mem_ratio']:8.2f}×")
        print("\n(c) compares one xltool run over the folder (all cores) with one process looping openpyxl over it;"
              "\npeak memory there is the largest single process.")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
