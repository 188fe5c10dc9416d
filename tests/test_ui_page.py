"""The page in a real browser: Debian's chromium driven headless by Selenium through chromedriver.

A folder of real samples plus a damaged workbook, an empty one and a text file is picked with the page's
folder button; the test waits for every result, reads the statuses and the Chinese reasons, opens a list of
findings, downloads an annotated copy (and checks it is the annotated workbook), the zip and a template.

Skipped when chromium/chromedriver or selenium are not installed, except under CI (``CI`` set), where
``.ci/run`` installs them and a skip would hide a broken page.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED000 = "铜冶镇2023年度部门绩效自评结果公开汇总表.xlsx"
CLEAN = "示例单位2023年度部门整体支出绩效自评表.xlsx"
PROJECT = "2023年度项目支出绩效自评表（示例）.xlsx"


def _need(condition: bool, why: str):
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test: {why}")
        pytest.skip(why)


def _browser_paths():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    return chromium, driver


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    """The page server (``xltool ui --no-browser``) in its own process, with its own temporary folder."""
    tmp = tmp_path_factory.mktemp("page-tmp")
    env = {**os.environ, "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "xltool", "ui", "--no-browser"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)
    url = None
    deadline = time.time() + 60
    first = ""
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        first += line
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if m:
            url = m.group(0)
            break
    if url is None:
        proc.kill()
        pytest.fail(f"the page server did not start: {first}{proc.stderr.read()}")
    info = {"url": url, "tmp": tmp, "proc": proc, "first": first}
    yield info
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(page, tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _need(False, "selenium is not installed")
    chromium, driver_path = _browser_paths()
    _need(bool(chromium and driver_path), "chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,768",
                "--lang=zh-CN", "--no-first-run", "--no-default-browser-check", "--disable-extensions"):
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False,
                                           "safebrowsing.enabled": False})
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager look for drivers on the network
    drv = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    drv.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    drv.set_window_size(1366, 768)
    drv.downloads = downloads
    yield drv
    drv.quit()


def _wait(fn, timeout=120, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        value = fn()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


def _downloaded(folder: Path, name: str, timeout=60) -> Path:
    target = folder / name
    _wait(lambda: target.is_file() and not (folder / (name + ".crdownload")).exists(), timeout)
    return target


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """What an officer might pick: a folder with sub-folders, real samples, a damaged and an empty workbook, and a
    stray attachment (a workbook that is no self-evaluation table)."""
    import xlsxwriter

    root = tmp_path_factory.mktemp("pick") / "2023年度自评材料"
    (root / "乡镇").mkdir(parents=True)
    shutil.copy(SAMPLES / SEED000, root / "乡镇" / SEED000)
    shutil.copy(SAMPLES / CLEAN, root / CLEAN)
    shutil.copy(SAMPLES / PROJECT, root / PROJECT)
    (root / "损坏的表.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook" * 10)
    wb = xlsxwriter.Workbook(str(root / "空白表.xlsx"))
    wb.add_worksheet("Sheet1")
    wb.close()
    wb = xlsxwriter.Workbook(str(root / "附件-通讯录.xlsx"))
    ws = wb.add_worksheet("通讯录")
    for r, row in enumerate([["姓名", "科室", "电话"], ["张三", "财务科", "0311-1234567"], ["李四", "办公室", "0311-7654321"]]):
        ws.write_row(r, 0, row)
    wb.close()
    (root / "说明.txt").write_text("不是工作簿", encoding="utf-8")
    return root


def _rows(browser):
    from selenium.webdriver.common.by import By

    out = {}
    for tr in browser.find_elements(By.CSS_SELECTOR, ".batch tr.file-row"):
        cells = tr.find_elements(By.TAG_NAME, "td")
        out[tr.get_attribute("data-name")] = {"tr": tr, "kind": cells[1].text, "result": cells[2].text, "errors": cells[3].text,
                              "warnings": cells[4].text, "word": tr.get_attribute("data-word")}
    return out


def test_a_folder_is_checked_in_the_page(page, browser, folder):
    from selenium.webdriver.common.by import By

    browser.get(page["url"])
    assert browser.title == "预算绩效自评表核查"
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#templates a.template"), 30)
    browser.find_element(By.ID, "folder").send_keys(str(folder))
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, ".batch .summary.finished"), 180)

    rows = _rows(browser)
    base = folder.name
    assert set(rows) == {f"{base}/乡镇/{SEED000}", f"{base}/{CLEAN}", f"{base}/{PROJECT}",
                         f"{base}/损坏的表.xlsx", f"{base}/空白表.xlsx", f"{base}/附件-通讯录.xlsx"}
    seed = rows[f"{base}/乡镇/{SEED000}"]
    # 34 balances + REC003: its row 2023年镇级鹿泉区铜冶镇教育经费 is the project form's (same amounts), scored 96 vs 99.6
    assert seed["word"] == "有错误" and seed["errors"] == "35" and seed["kind"] == "部门绩效自评结果公开汇总表"
    assert rows[f"{base}/{CLEAN}"]["word"] == "通过"
    bad = rows[f"{base}/损坏的表.xlsx"]
    assert bad["word"] == "无法读取"
    assert "损坏" in bad["result"] and "Excel" in bad["result"]  # the Chinese reason is shown under the status
    assert rows[f"{base}/空白表.xlsx"]["word"] == "未识别"  # an empty workbook: no table recognised (xltool/status.py)
    assert "没有填写任何内容" in rows[f"{base}/空白表.xlsx"]["result"]
    stray = rows[f"{base}/附件-通讯录.xlsx"]  # read, not damaged: 未识别 with its reason, nothing to list
    assert stray["word"] == "未识别" and "不是预算绩效自评表" in stray["result"] and stray["errors"] == "—"
    assert not stray["tr"].find_elements(By.CSS_SELECTOR, "button.findings")
    skipped = browser.find_element(By.CSS_SELECTOR, ".batch .skipped").text
    assert "说明.txt" in skipped and "跳过 1 个" in skipped
    summary = browser.find_element(By.CSS_SELECTOR, ".batch .summary").text
    assert "共 6 个文件" in summary and "有错误 2 个" in summary and "无法读取 1 个" in summary and "未识别 2 个" in summary  # the seed, and the project form (REC003); the stray and the empty workbook
    assert "空表" not in summary

    # the list of findings, in the page
    seed["tr"].find_element(By.CSS_SELECTOR, "button.findings").click()
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, "#findings tbody tr"), 30)
    lines = browser.find_elements(By.CSS_SELECTOR, "#findings tbody tr")
    assert sum(1 for tr in lines if tr.text.startswith("错误")) == 35  # with REC003 (see above)
    assert "结余数应为" in browser.find_element(By.ID, "findings").text
    if os.environ.get("XLTOOL_UI_SCREENSHOT"):
        browser.save_screenshot(os.environ["XLTOOL_UI_SCREENSHOT"].replace(".png", "-findings.png"))
    browser.find_element(By.ID, "dclose").click()

    # the annotated copy: our findings sheet first, the wrong cells marked, the original untouched
    before = (folder / "乡镇" / SEED000).read_bytes()
    seed["tr"].find_element(By.CSS_SELECTOR, "a.copy").click()
    copy = _downloaded(browser.downloads, SEED000.replace(".xlsx", ".checked.xlsx"))
    wb = openpyxl.load_workbook(copy)
    assert wb.sheetnames[0] == "核查结果"
    ws = wb[wb.sheetnames[1]]
    assert ws["F7"].comment is not None and "结余数应为" in ws["F7"].comment.text
    assert (folder / "乡镇" / SEED000).read_bytes() == before

    # everything as one zip: the copies in their sub-folders and the overview
    browser.find_element(By.CSS_SELECTOR, ".batch a.zip").click()
    bundle = _downloaded(browser.downloads, "核查结果.zip")
    names = set(zipfile.ZipFile(bundle).namelist())
    assert "核查汇总.xlsx" in names
    assert f"{base}/乡镇/{SEED000.replace('.xlsx', '.checked.xlsx')}" in names
    assert not any("损坏的表" in n for n in names)

    # a blank template from the panel
    browser.find_element(By.CSS_SELECTOR, "#templates a[data-kind='summary']").click()
    template = _downloaded(browser.downloads, "部门绩效自评结果公开汇总表.xlsx")
    assert openpyxl.load_workbook(template).sheetnames[0]

    if os.environ.get("XLTOOL_UI_SCREENSHOT"):  # for a person to look at; never committed
        browser.save_screenshot(os.environ["XLTOOL_UI_SCREENSHOT"])

    # no English on the page a user reads (file names and extensions aside)
    text = browser.find_element(By.TAG_NAME, "body").text
    text = re.sub(r"[\w（）().\-/]*\.(xlsx|xlsm|xls|txt)", " ", text)
    assert re.findall(r"[A-Za-z]{2,}", re.sub(r"Excel|WPS|ZIP", "", text)) == []


def test_files_dropped_on_the_box_are_checked(page, browser):
    """A drop event (files, as a browser delivers them from the desktop) starts a batch like the buttons do."""
    from selenium.webdriver.common.by import By

    browser.get(page["url"])
    browser.execute_script("""
        fetch(api("/api/templates/project-form")).then((r) => r.blob()).then((blob) => {
          const dt = new DataTransfer();
          dt.items.add(new File([blob], "拖入的表.xlsx"));
          dt.items.add(new File(["备注"], "备注.txt"));
          document.getElementById("drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true }));
        });
    """)
    _wait(lambda: browser.find_elements(By.CSS_SELECTOR, ".batch .summary.finished"), 120)
    rows = _rows(browser)
    assert list(rows) == ["拖入的表.xlsx"]
    assert rows["拖入的表.xlsx"]["kind"] == "项目支出绩效自评表"
    assert rows["拖入的表.xlsx"]["word"] == "空表"  # a blank template is not a pass
    assert "还没有填写" in rows["拖入的表.xlsx"]["result"]
    assert "备注.txt" in browser.find_element(By.CSS_SELECTOR, ".batch .skipped").text


def test_refusals_are_polite_and_chinese(page, browser):
    """Non-workbook names, oversize claims and requests without the page's token are declined in Chinese."""
    import json
    import urllib.error
    import urllib.request

    browser.get(page["url"])
    token = browser.execute_script("return TOKEN;")
    url = page["url"]

    def call(method, path, data=None, headers=None):
        req = urllib.request.Request(url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read().decode("utf-8"))

    status, body = call("POST", "api/batches")
    assert status == 403 and "刷新网页" in body["message"]
    status, body = call("POST", f"api/batches?t={token}")
    bid = body["id"]
    status, body = call("PUT", f"api/batches/{bid}/files?t={token}&path=%E8%AF%B4%E6%98%8E.docx", b"hello")
    assert status == 415 and "不是 Excel 工作簿" in body["message"]
    status, body = call("PUT", f"api/batches/{bid}/files?t={token}&path=big.xlsx", b"x",
                        {"Content-Length": "1", "X-Claim": "1"})
    assert status == 200  # a tiny (bad) workbook is accepted; checking it says why it cannot be read
    status, body = call("GET", f"api/batches/nothing?t={token}")
    assert status == 404 and "重新拖入" in body["message"]


def test_stopping_the_server_removes_its_temporary_folder(page, browser):
    proc = page["proc"]
    assert any(page["tmp"].glob("xltool-page-*"))
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert "临时文件已删除" in out
    assert not any(page["tmp"].glob("xltool-page-*"))


def test_a_busy_port_is_refused_in_chinese():
    from xltool.ui.server import free_socket

    sock = free_socket(0)
    try:
        res = subprocess.run([sys.executable, "-m", "xltool", "ui", "--no-browser", "--port", str(sock.getsockname()[1])],
                             capture_output=True, text=True, encoding="utf-8", timeout=60)
    finally:
        sock.close()
    assert res.returncode == 2
    assert "无法使用端口" in res.stderr and not re.search(r"[A-Za-z]{3,}", res.stderr.replace("--port", ""))
