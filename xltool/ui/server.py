"""The page's web application (Starlette) and its server (uvicorn), on 127.0.0.1 only.

Requests other than the page itself carry the page's secret token (``?t=`` or the ``X-Xltool-Token``
header) and a ``Host`` of 127.0.0.1 or localhost, so another web site open in the same browser can
neither read results nor upload (it cannot learn the token; a rebound host name is refused).
"""

from __future__ import annotations

import secrets
import socket
import threading
import webbrowser
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from xltool.ui.session import Refused, Workspace, templates_list

HOST = "127.0.0.1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"


def create_app(workspace: Workspace, token: str | None = None) -> Starlette:
    token = token or secrets.token_urlsafe(24)
    page = resources.files("xltool.ui").joinpath("page.html").read_text(encoding="utf-8").replace("__TOKEN__", token)

    def guarded(handler):
        async def endpoint(request: Request):
            given = request.query_params.get("t") or request.headers.get("x-xltool-token", "")
            if not secrets.compare_digest(given, token):
                return _refuse("页面已过期，请刷新网页后重试。", 403)
            try:
                return await handler(request)
            except Refused as exc:
                return _refuse(exc.message, exc.status)
        return endpoint

    async def index(request: Request):
        return HTMLResponse(page, headers={"Cache-Control": "no-store"})

    async def new_batch(request: Request):
        return JSONResponse({"id": workspace.new_batch().id})

    async def upload(request: Request):
        b = workspace.batch(request.path_params["bid"])
        rel = request.query_params.get("path", "")
        length = request.headers.get("content-length")
        if length and length.isdigit():
            b._check_size(int(length), Path(rel).name or "文件")
        entry = await b.receive_async(rel, request.stream())
        return JSONResponse({"index": entry.index, "name": entry.shown})

    async def check(request: Request):
        b = workspace.batch(request.path_params["bid"])
        b.start()
        return JSONResponse(b.status())

    async def status(request: Request):
        return JSONResponse(workspace.batch(request.path_params["bid"]).status())

    async def findings(request: Request):
        b = workspace.batch(request.path_params["bid"])
        return JSONResponse(b.entry(request.path_params["index"]).findings())

    async def copy(request: Request):
        b = workspace.batch(request.path_params["bid"])
        path = b.copy_of(request.path_params["index"])
        return _download(path, path.name)

    async def overview(request: Request):
        b = workspace.batch(request.path_params["bid"])
        if b.overview is None or not b.overview.is_file():
            raise Refused("核查汇总尚未生成，请等核查完成。", 404)
        return _download(b.overview, b.overview.name)

    async def everything(request: Request):
        b = workspace.batch(request.path_params["bid"])
        from starlette.concurrency import run_in_threadpool

        path = await run_in_threadpool(b.zip)
        return _download(path, path.name, "application/zip")

    async def templates(request: Request):
        return JSONResponse(templates_list())

    async def template(request: Request):
        from starlette.concurrency import run_in_threadpool

        path = await run_in_threadpool(workspace.template, request.path_params["kind"])
        return _download(path, path.name)

    routes = [
        Route("/", index),
        Route("/api/batches", guarded(new_batch), methods=["POST"]),
        Route("/api/batches/{bid}/files", guarded(upload), methods=["PUT", "POST"]),
        Route("/api/batches/{bid}/check", guarded(check), methods=["POST"]),
        Route("/api/batches/{bid}", guarded(status)),
        Route("/api/batches/{bid}/files/{index:int}/findings", guarded(findings)),
        Route("/api/batches/{bid}/files/{index:int}/copy", guarded(copy)),
        Route("/api/batches/{bid}/overview", guarded(overview)),
        Route("/api/batches/{bid}/zip", guarded(everything)),
        Route("/api/templates", guarded(templates)),
        Route("/api/templates/{kind}", guarded(template)),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=[HOST, "localhost"])],
                     exception_handlers={404: _not_found, 405: _not_found, Exception: _internal})


def _refuse(message: str, status: int) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


async def _not_found(request: Request, exc) -> Response:
    return _refuse("没有这个页面。", 404)


async def _internal(request: Request, exc) -> Response:
    return _refuse(f"网页服务内部错误（{type(exc).__name__}），请重试；如仍出错，请反馈给工具维护人员。", 500)


def _download(path: Path, name: str, media_type: str | None = None) -> FileResponse:
    if media_type is None:
        media_type = XLSM if path.suffix.lower() == ".xlsm" else XLSX
    # RFC 6266/5987: a UTF-8 name for browsers, an ASCII stand-in for the rest
    disposition = f"attachment; filename=\"{_ascii_name(path)}\"; filename*=UTF-8''{quote(name)}"
    return FileResponse(path, media_type=media_type, headers={"Content-Disposition": disposition,
                                                             "Cache-Control": "no-store"})


def _ascii_name(path: Path) -> str:
    return "xltool" + "".join(path.suffixes[-1:])


def free_socket(port: int = 0) -> socket.socket:
    """A listening socket on 127.0.0.1 (``port`` 0: any free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(workspace: Workspace, sock: socket.socket, *, on_ready=None) -> None:
    """Serve the page on ``sock`` until interrupted (Ctrl+C), then return."""
    import uvicorn

    app = create_app(workspace)
    config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off", server_header=False,
                            timeout_graceful_shutdown=3)
    server = uvicorn.Server(config)
    if on_ready is not None:
        def wait_then_call():
            while not server.started and not server.should_exit:
                threading.Event().wait(0.05)
            if server.started:
                on_ready()
        threading.Thread(target=wait_then_call, daemon=True).start()
    server.run(sockets=[sock])


def open_browser(url: str) -> None:
    try:
        webbrowser.open(url)
    except Exception:  # no browser here: the address is printed
        pass
