"""IMPORT-REPORT.md: what an import brought in, what it left out and every default it assumed, in a school
leader's words, and writing it beside the scenario's files in one atomic step."""

from __future__ import annotations

from pathlib import Path

from workbench.atomic import atomic_folder
from workbench.errors import Problem, ScenarioInvalid
from workbench.interop.school import Imported, SisSchool
from workbench.scenario.model import write_scenario_files

REPORT = "IMPORT-REPORT.md"


def _cell(text: object) -> str:
    """A table cell: an SIS label may hold '|' or line breaks, which would break the table."""
    return " ".join(str(text).replace("|", "/").split())


def _grades(grades: list[int]) -> str:
    grades = sorted(grades)
    return f"{grades[0]}-{grades[-1]}" if len(grades) > 1 else str(grades[0])


def render(sis: SisSchool, done: Imported, pin_current: bool) -> str:
    sc = done.scenario
    st = sc.students
    roles = sc.staff["role"].value_counts()
    people = ", ".join(f"{n} {role.replace('_', ' ')}{'s' if n != 1 else ''}" for role, n in sorted(roles.items()))
    pinned = (f"kept as {len(sc.pins)} pins in pins.csv, which the solve must keep" if pin_current else
              "not pinned, so the solve plans sections afresh; import with --pin-current to keep them")
    lines = [
        f"# Import report: {sis.school_name}",
        "",
        f"Imported from {sis.source_format} (`{sis.source_name}`), school {sis.school_id}, school year "
        f"{sis.school_year}. Read this before trusting a plan made from it: the export does not hold everything "
        "a plan needs, and the defaults below stand in for what it lacks.",
        "",
        "## What came in",
        "",
        f"- {len(st):,} students in grades {_grades(list(st['grade']))}: {int(st['ell'].sum())} English learners, "
        f"{int(st['iep'].sum())} with an IEP, {int(st['frl'].sum())} from low-income families.",
        f"- {len(sc.staff):,} staff: {people}.",
        f"- {len(sc.courses):,} courses, {len(sc.rooms):,} rooms, {len(sis.sections):,} sections from last year "
        f"({pinned}).",
        f"- {len(sc.requests):,} course requests (see how they were made below).",
        "",
        "## Who is who: pseudonyms",
        "",
        "Every student and staff member appears in the scenario only as a pseudonym (`S-…` for students, `T-…` for "
        f"staff) made from their SIS ID with the district's key (key {done.scenario.raw_settings['sis']['key_id']}). "
        "The key file stays with you, outside the scenario: with it, `workbench export --oneroster` puts the real "
        "IDs back; without it nobody can tell who is who. The same key gives the same pseudonyms next year, so "
        "imports line up. Never put the key in a shared folder.",
        "",
        "## What was left out",
        "",
        "Names, usernames, emails, phone numbers, birth dates and addresses never enter the scenario. These fields "
        "of the export were not brought in:",
        "",
    ]
    for file, fields in sorted(sis.dropped.items()):
        if fields:
            lines.append(f"- {file}: {', '.join(sorted(set(fields)))}")
    lines += ["", "## Defaults: check these", "",
              "The export does not say these, so the workbench assumed them. Replace any that are wrong for your "
              "school (scenario.yaml, courses.csv, rooms.csv, roles.csv, supports.csv) before deciding anything.",
              "", "| what | value used | where it comes from |", "|---|---|---|"]
    lines += [f"| {_cell(d.what)} | {_cell(d.value)} | {_cell(d.source)} |" for d in done.defaults]
    lines += ["", "## How the course requests were made", "", done.request_rule, ""]
    notes = sis.notes + done.report + sis.left_out
    if notes:
        lines += ["## Also worth knowing", ""] + [f"- {note}" for note in notes] + [""]
    lines += ["## What to do next", "",
              "1. Check the defaults above and correct them in the scenario's files.",
              "2. Add each student's goals (goals.csv): the export holds none.",
              "3. `workbench validate <this folder>`, then `workbench solve <this folder> --out <result>`.",
              "4. `workbench export <result> --oneroster <folder> --key <key file>` writes the new classes and "
              "enrollments, with real IDs, for the SIS.", ""]
    return "\n".join(lines)


def _is_previous_import(folder: Path) -> bool:
    names = {p.name for p in folder.iterdir()}
    return not names or (REPORT in names and "scenario.yaml" in names)


def write_import(folder: Path, sis: SisSchool, done: Imported, pin_current: bool) -> Path:
    """The scenario's files and IMPORT-REPORT.md, all at once. An existing folder is replaced only when it is
    empty or an earlier import (it holds IMPORT-REPORT.md): anything else is the user's and is refused."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or not _is_previous_import(folder)):
        raise ScenarioInvalid([Problem(str(folder), None, None, "already exists and is not an earlier import",
                                       "choose a new --out folder (an import never overwrites your files)")])
    scenario = done.scenario
    with atomic_folder(folder) as tmp:
        write_scenario_files(scenario, tmp)
        (tmp / REPORT).write_text(render(sis, done, pin_current), encoding="utf-8")
    return folder
