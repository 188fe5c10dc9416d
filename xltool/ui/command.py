"""``xltool ui``: open the checking page in the browser."""

from __future__ import annotations

import sys

import click

from xltool.cli import OPTIONS_METAVAR
from xltool.errors import EXIT_FAILED, EXIT_OK, XltoolError


@click.command(options_metavar=OPTIONS_METAVAR)
@click.option("--port", type=click.IntRange(0, 65535), default=0, metavar="端口",
              help="网页使用的端口（默认 0：自动选一个空闲端口）。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器（自己把显示的地址复制到浏览器中打开）。")
@click.option("--profile", default="national", show_default=True, metavar="名称",
              help="地区配置名称或 .toml 文件路径（见 xltool profiles）。")
def ui(port, no_browser, profile):
    """打开本机核查网页：把工作簿或整个文件夹拖进浏览器即可核查。

    网页只在本机（127.0.0.1）打开，文件不会离开这台电脑；网页上可以查看每个文件的问题清单，
    下载核查副本、核查汇总和空白模板。原文件不会被改动；上传到网页的临时副本在退出时删除。
    关闭本窗口或按 Ctrl+C 即退出。
    """
    from xltool import profiles

    try:
        prof = profiles.load(profile)
    except XltoolError as exc:
        click.echo(f"错误：{exc.message}", err=True)
        sys.exit(EXIT_FAILED)

    from xltool.ui import server
    from xltool.ui.session import Workspace

    try:
        sock = server.free_socket(port)
    except OSError:
        click.echo(f"错误：无法使用端口 {port}（可能已被其他程序占用）。可以换一个端口，或不加 --port 自动选择。", err=True)
        sys.exit(EXIT_FAILED)
    url = f"http://{server.HOST}:{sock.getsockname()[1]}/"
    workspace = Workspace(prof)

    def ready():
        click.echo(f"核查网页已打开：{url}")
        click.echo("如果浏览器没有自动打开，请把上面的地址复制到浏览器（如 Edge、Chrome）的地址栏中打开。")
        click.echo("使用期间请不要关闭本窗口；用完后关闭本窗口（或按 Ctrl+C）即退出。")
        sys.stdout.flush()
        if not no_browser:
            server.open_browser(url)

    try:
        server.serve(workspace, sock, on_ready=ready)
    except KeyboardInterrupt:
        pass
    finally:
        workspace.close()
        sock.close()
    click.echo("核查网页已关闭，临时文件已删除。")
    sys.exit(EXIT_OK)
