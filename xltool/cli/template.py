"""``xltool template``: write a blank standard workbook that computes itself."""

from __future__ import annotations

import sys

import click

from xltool.cli import OPTIONS_METAVAR
from xltool.errors import EXIT_FAILED, EXIT_OK, XltoolError

# Chinese names a user may type for a template kind, besides the kind's English name, its title and its
# default file name (added from the builder modules by ``resolve_kind``).
ALIASES = {
    "summary": ("汇总表", "公开汇总表", "绩效自评结果公开汇总表", "部门绩效自评结果公开汇总表"),
    "project-form": ("项目支出绩效自评表", "项目自评表", "项目表"),
    "department-form": ("部门整体支出绩效自评表", "部门自评表", "部门整体自评表"),
    "weighted-form": ("权重折算", "权重折算表", "部门整体绩效自评表（权重折算）", "部门整体绩效自评表"),
    "score-table": ("评分表", "指标评分表", "绩效评价指标评分表", "部门整体支出绩效评价指标评分表"),
    "management-table": ("绩效管理自评表", "管理自评表", "management"),
}


def _normal(word: str) -> str:
    word = word.strip().replace("(", "（").replace(")", "）").replace(" ", "")
    if word.lower().endswith(".xlsx"):
        word = word[:-5]
    return word.lower()


def display_name(kind: str) -> str:
    """The Chinese name of a template kind, as its default file is named (e.g. 部门整体绩效自评表（权重折算）)."""
    from xltool import template as templates

    return templates.module(kind).FILE_NAME.removesuffix(".xlsx")


def resolve_kind(word: str) -> str | None:
    """The template kind a user means by ``word`` (English name or a Chinese name), or None."""
    from xltool import template as templates

    names: dict[str, str] = {}
    for kind in templates.KINDS:
        m = templates.module(kind)
        for name in (kind, m.TITLE, m.FILE_NAME, *ALIASES.get(kind, ())):
            names.setdefault(_normal(name), kind)
    return names.get(_normal(word))


@click.command(options_metavar=OPTIONS_METAVAR)
@click.argument("kind", required=False, metavar="模板类型")
@click.option("-o", "--output", "output", type=click.Path(), metavar="文件或文件夹", help="保存位置：文件名（.xlsx）或文件夹（默认：当前文件夹，用标准文件名）。")
@click.option("--year", type=click.IntRange(2000, 2100), metavar="年度", help="评价年度，写入标题，如 2023。")
@click.option("--unit", metavar="单位名称", help="单位名称，写入标题和单位栏，如“示例镇人民政府”。")
@click.option("--rows", type=click.IntRange(1, 2000), metavar="行数", help="汇总表（summary）预留的项目行数，默认 50。")
@click.option("--profile", default="national", show_default=True, metavar="名称", help="地区配置名称或 .toml 文件路径：决定等级分档和执行率得分规则。")
@click.option("--list", "list_kinds", is_flag=True, help="列出可生成的模板。")
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
def template(kind, output, year, unit, rows, profile, list_kinds, force):
    """生成自动计算的空白标准模板。

    模板类型可以写中文名称或英文名称，例如：汇总表（summary）、项目支出绩效自评表（project-form）、
    部门整体支出绩效自评表（department-form）、权重折算（weighted-form）、评分表（score-table）、绩效管理自评表（management-table）；
    全部类型见 --list。

    浅黄色单元格为填写区；执行率、结余数、得分合计、评价等级等由公式自动计算，并已锁定防止误改。
    """
    from pathlib import Path

    from xltool import profiles
    from xltool import template as templates

    if list_kinds:
        for name, desc, file_name in templates.describe():
            click.echo(f"{display_name(name)}（{name}）")
            click.echo(f"    {desc}")
            click.echo(f"    默认文件名：{file_name}")
        sys.exit(EXIT_OK)
    if not kind:
        _fail("请指定模板类型，例如：xltool template 汇总表 -o 汇总表.xlsx（可用 xltool template --list 查看全部类型）。")
    word = kind
    kind = resolve_kind(word)
    if kind is None:
        titles = "、".join(display_name(k) for k in templates.KINDS)
        _fail(f"未知的模板类型“{word}”。可生成：{titles}（xltool template --list 查看说明）。")
    if rows is not None and kind != "summary":
        click.echo("提示：--rows 只适用于汇总表（summary），已忽略。", err=True)
    try:
        prof = profiles.load(profile)
    except XltoolError as exc:
        _fail(exc.message)

    name = templates.default_file_name(kind, year, unit)
    if output is None:
        target = Path.cwd() / name
    else:
        target = Path(output)
        if target.is_dir() or output.endswith(("/", "\\")):
            target = target / name
        elif target.suffix == "":
            target = target.with_name(target.name + ".xlsx")
        elif target.suffix.lower() != ".xlsx":
            _fail(f"模板只能保存为 .xlsx 文件，“{target.name}”的扩展名是 {target.suffix}。")
    if target.exists() and not force:
        _fail(f"文件已存在：{target}。为免覆盖已填写的内容，未生成模板；确需覆盖请加 --force，或换一个文件名。")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        templates.build(kind, target, prof, year=year, unit=unit, rows=rows or templates.DEFAULT_ROWS)
    except PermissionError:
        _fail(f"无法写入 {target}：没有权限，或该文件正在 Excel/WPS 中打开（请先关闭）。")
    except OSError as exc:
        _fail(f"无法写入 {target}：{exc.strerror or exc}。")
    title = templates.module(kind).TITLE
    click.echo(f"已生成：{target}（{title}，地区配置：{prof.title}）")
    click.echo("浅黄色单元格为填写区，其余由公式自动计算；填好后可运行 xltool check 文件名 核查。")
    sys.exit(EXIT_OK)


def _fail(message: str):
    click.echo(f"错误：{message}", err=True)
    sys.exit(EXIT_FAILED)
