@echo off
chcp 65001 >nul
setlocal
rem Installs xltool from this folder's parent (the project folder) with the Python on this computer.
title 安装 xltool

set "PY="
where py >nul 2>nul && set "PY=py"
if not defined PY where python >nul 2>nul && set "PY=python"
if not defined PY (
  echo 没有找到 Python。请先安装 Python 3.11 或更新版本：
  echo   打开 https://www.python.org/downloads/ ，下载 Windows 安装程序，
  echo   安装时勾选“Add python.exe to PATH”，装好后再双击本文件。
  echo.
  pause
  exit /b 2
)

echo 正在安装 xltool（需要联网下载所用的组件，约需一两分钟）……
echo.
%PY% -m pip install --upgrade "%~dp0.."
if errorlevel 1 (
  echo.
  echo 安装没有成功，请把本窗口的内容截图发给工具维护人员。
  pause
  exit /b 2
)
echo.
echo 安装完成。以后双击同一文件夹中的“核查.cmd”即可打开核查网页，
echo 也可以把工作簿或文件夹直接拖到“核查.cmd”上核查。
echo.
pause
