"""xltool — 预算绩效自评表核查工具 (budget performance self-evaluation workbook checker)."""

__version__ = "0.1.0"
