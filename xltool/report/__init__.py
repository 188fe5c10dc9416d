"""Formatters: annotated workbook, findings sheet, console, JSON — kept apart from the rules."""
