"""Bring a real school in from its student information system, and send the plan back.

`workbench import oneroster|edfi` turns a OneRoster 1.1 CSV export or Ed-Fi XML interchange files into a
scenario folder whose people are keyed pseudonyms (`pseudonyms`), with every default it had to assume
listed in IMPORT-REPORT.md (`template`, `report`); `workbench export --oneroster` writes the solved design
back as OneRoster classes and enrollments with the real IDs restored (`export`).

Scenario-layer code: it may use `workbench.scenario`, `workbench.results` and `workbench.errors`, never
the app or the command line.
"""
