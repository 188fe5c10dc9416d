"""``xltool template``: write a blank standard workbook that computes itself."""

from __future__ import annotations

import sys

import click

from xltool.errors import EXIT_FAILED, EXIT_OK, XltoolError



@click.command()
@click.argument("kind", required=False)
@click.option("-o", "--output", "output", type=click.Path(), help="保存位置：文件名（.xlsx）或文件夹（默认：当前文件夹，用标准文件名）。")
@click.option("--year", type=click.IntRange(2000, 2100), help="评价年度，写入标题，如 2023。")
@click.option("--unit", help="单位名称，写入标题和单位栏，如“示例镇人民政府”。")
@click.option("--rows", type=click.IntRange(1, 2000), help="汇总表（summary）预留的项目行数，默认 50。")
@click.option("--profile", default="national", show_default=True, help="地区配置名称或 .toml 文件路径：决定等级分档和执行率得分规则。")
@click.option("--list", "list_kinds", is_flag=True, help="列出可生成的模板。")
@click.option("--force", is_flag=True, help="目标文件已存在时覆盖。")
def template(kind, output, year, unit, rows, profile, list_kinds, force):
    """生成自动计算的空白标准模板（KIND 见 --list）。

    浅黄色单元格为填写区；执行率、结余数、得分合计、评价等级等由公式自动计算，并已锁定防止误改。
    """
    from pathlib import Path

    from xltool import profiles
    from xltool import template as templates

    if list_kinds:
        for name, desc, file_name in templates.describe():
            click.echo(f"{name:16} {desc}")
            click.echo(f"{'':16} 默认文件名：{file_name}")
        sys.exit(EXIT_OK)
    if not kind:
        _fail("请指定模板类型，例如：xltool template summary -o 汇总表.xlsx（可用 xltool template --list 查看全部类型）。")
    if kind not in templates.KINDS:
        _fail(f"未知的模板类型“{kind}”。可用：{'、'.join(templates.KINDS)}（xltool template --list 查看说明）。")
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
