"""``xltool rules`` and ``xltool profiles``: the catalogue of rules and regional profiles."""

from __future__ import annotations

import click

from xltool.cli import OPTIONS_METAVAR


@click.command(options_metavar=OPTIONS_METAVAR)
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text",
              metavar="text|markdown|json", help="输出格式：text（默认）、markdown 或 json。")
def rules(fmt):
    """列出全部核查规则（代码、名称、级别、示例）。"""
    from xltool.report.catalogue import render

    click.echo(render(fmt))


@click.command(options_metavar=OPTIONS_METAVAR)
def profiles():
    """列出内置的地区配置。"""
    from xltool import profiles as registry

    for p in registry.available():
        click.echo(f"{p.name:10} {p.title}")
        click.echo(f"{'':10} 汇总表等级：{p.bands('summary').describe()}")
        click.echo(f"{'':10} 自评表等级：{p.bands('form').describe()}")
        click.echo(f"{'':10} 执行率得分：{p.describe_execution()}")
