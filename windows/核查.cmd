@echo off
chcp 65001 >nul
setlocal
rem xltool launcher for Windows.
rem   Double-click: opens the checking page in the browser (keep this window open while using it).
rem   Drop workbooks or folders onto this file: checks them here, shows the results, waits for a key.
title xltool 预算绩效自评表核查

set "XLTOOL="
where xltool >nul 2>nul && set "XLTOOL=xltool"
if not defined XLTOOL where py >nul 2>nul && set "XLTOOL=py -m xltool"
if not defined XLTOOL where python >nul 2>nul && set "XLTOOL=python -m xltool"
if defined XLTOOL %XLTOOL% --version >nul 2>nul || set "XLTOOL="
if not defined XLTOOL (
  echo 这台电脑还没有安装 xltool。
  echo 请先安装 Python（见说明），再双击同一文件夹中的“安装.cmd”。
  echo.
  pause
  exit /b 2
)

if "%~1"=="" (
  echo 正在打开核查网页，稍后浏览器会自动打开。
  echo 使用期间请不要关闭本窗口；用完后直接关闭本窗口即可。
  echo.
  %XLTOOL% ui
  echo.
  pause
  exit /b 0
)

echo 正在核查拖入的文件，请稍候……
echo.
%XLTOOL% check %*
set "CODE=%ERRORLEVEL%"
echo.
echo 核查副本（文件名以 .checked.xlsx 结尾）已保存在原文件旁边，原文件没有改动；
echo 核查多个文件或文件夹时，另有一份“核查汇总.xlsx”，位置见上方“核查汇总：”一行。
echo.
echo 按任意键关闭本窗口。
pause >nul
exit /b %CODE%
