"""``xltool summarize``: build the 部门绩效自评结果公开汇总表 from a folder of project forms."""

from __future__ import annotations

import sys

import click

from xltool.cli import OPTIONS_METAVAR
from xltool.errors import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, XltoolError


@click.command(options_metavar=OPTIONS_METAVAR)
@click.argument("paths", nargs=-1, required=True, metavar="文件或文件夹…")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False), metavar="文件名", default="汇总表.xlsx", show_default=True,
              help="生成的汇总表文件名。")
@click.option("--against", "against", type=click.Path(dir_okay=False), metavar="汇总表文件",
              help="已有的汇总表：与生成的汇总表逐格核对，差异写入“与原表核对”工作表。")
@click.option("--profile", default="national", show_default=True, metavar="名称", help="地区配置名称或 .toml 文件路径（见 xltool profiles）。")
@click.option("--jobs", "-j", "jobs", type=click.IntRange(min=0), default=0, metavar="进程数",
              help="同时处理的进程数（默认 0：使用全部 CPU 核心；1：不并行）。")
def summarize(paths, output, against, profile, jobs):
    """由一批项目支出绩效自评表生成部门绩效自评结果公开汇总表。

    每份项目支出绩效自评表一行：序号、项目名称、实施单位、预算数、执行数、结余数、结余交回财政数、
    自评得分、自评结果应用意见，另有合计行和单位整体自评得分、等级。自评表有错误的，照样汇总并在备注中标出。
    """
    import os
    from pathlib import Path

    from xltool import batch, profiles
    from xltool import summarize as sm
    from xltool.inputs import collect
    from xltool.report.overview import looks_like_overview

    try:
        prof = profiles.load(profile)
    except XltoolError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(EXIT_FAILED)
    target = Path(output)
    skip = {os.path.normcase(os.path.abspath(target))}
    if against:
        skip.add(os.path.normcase(os.path.abspath(against)))
    items = [(p, shown) for p, shown in collect(list(paths))
             if os.path.normcase(os.path.abspath(p)) not in skip and not looks_like_overview(p)
             and not sm.written_by_us(p)]
    if not items:
        click.echo("没有找到项目支出绩效自评表（.xlsx / .xlsm / .xls）。", err=True)
        sys.exit(EXIT_FAILED)
    reports = batch.run([batch.Job(p, shown, write=False) for p, shown in items], prof, workers=jobs,
                        reconcile=False, keep_records=False)
    table = sm.build(reports, prof)
    if not table.projects:
        click.echo("没有找到可汇总的项目支出绩效自评表：", err=True)
        for s in table.sources:
            click.echo(f"  {s.path}：{s.outcome}{('（' + s.detail + '）') if s.detail else ''}", err=True)
        sys.exit(EXIT_FAILED)

    differences = None
    if against:
        from xltool.engine import check_file

        existing = check_file(Path(against), prof, write=False)
        if existing.status == "failed":
            click.echo(f"错误：无法读取原表“{against}”：{existing.error}", err=True)
            sys.exit(EXIT_FAILED)
        try:
            differences = sm.compare(table, existing, prof)
        except XltoolError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(EXIT_FAILED)
    try:
        written = sm.write(table, target, prof, differences, against)
    except XltoolError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(EXIT_FAILED)
    except OSError as exc:
        click.echo(f"错误：无法写出汇总表“{target}”：{exc.strerror or exc}。如文件正在 Excel/WPS 中打开，请先关闭后再试。",
                   err=True)
        sys.exit(EXIT_FAILED)

    if written != target:
        click.echo(f"注意：{sm.edited_elsewhere(target, written)}", err=True)
    click.echo(f"已生成汇总表：{written}（{len(table.projects)} 个项目，单位：{table.unit}）")
    if table.overall_score is not None:
        click.echo(f"单位整体自评得分 {table.overall_score:.2f} 分（各项目得分平均），评价等级：{table.overall_grade}。")
    for p in table.over_max:
        click.echo(f"【未计入平均分】{p.source}（工作表“{p.sheet}”）：按各项得分重算总分为 {_show(p.over_max)} 分，"
                   f"超过满分 {_show(sm.MAX_SCORE)} 分，不是有效得分，汇总表中未填自评得分；请退回自评表更正。")
    click.echo(f"预算数合计 {table.budget_total:g}，执行数合计 {table.execution_total:g}。")
    for p in table.marked:
        click.echo(f"【有错误】{p.source}（工作表“{p.sheet}”）：自评表有错误 {p.errors} 处，已汇总并在备注中标出。")
    for s in table.sources:
        if not s.outcome.startswith("已汇总"):
            click.echo(f"- {s.path}（{s.sheet}）：{s.outcome}{('：' + s.detail) if s.detail else ''}")
    if differences is not None:
        if differences:
            click.echo(f"与原表“{against}”核对：共 {len(differences)} 处不同，见汇总表的“{sm.DIFF_SHEET}”工作表。")
            for d in differences[:20]:
                click.echo(f"  {d.project}｜{d.what}｜{d.cell or '—'}：原表 {_show(d.existing)}，按自评表 {_show(d.built)}。{d.note}")
            if len(differences) > 20:
                click.echo(f"  ……其余 {len(differences) - 20} 处见工作表。")
        else:
            click.echo(f"与原表“{against}”核对：两表一致。")
    if table.failed:
        sys.exit(EXIT_FAILED)
    if table.marked or differences:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_OK)


def _show(v) -> str:
    if v is None:
        return "（空）"
    if isinstance(v, float):
        text = f"{v:.6f}".rstrip("0").rstrip(".")
        return text or "0"
    return str(v)
