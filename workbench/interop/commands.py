"""`workbench import oneroster|edfi` end to end: read, pseudonymise, write the scenario and its report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.interop.pseudonyms import Key, default_key_path, load_or_create_key, merge_ids
from workbench.interop.report import write_import
from workbench.interop.school import SisSchool, build_scenario


@dataclass
class ImportDone:
    folder: Path
    key: Key
    key_created: bool
    ids_file: Path
    summary: str


def import_school(sis: SisSchool, out: Path, key_path: Path | None, source: Path,
                  pin_current: bool = False) -> ImportDone:
    """Write the scenario of `sis` to `out` with IMPORT-REPORT.md, and its pseudonyms to the table beside the key.

    The key defaults to ~/.workbench/keys/<district>.key and is made on first use; a key inside `out` or the
    source folder is refused (ScenarioInvalid), as is an `out` folder that holds anything but an earlier import."""
    path = Path(key_path) if key_path is not None else default_key_path(sis.district_id)
    refuse = [Path(out)] + ([Path(source)] if Path(source).is_dir() else [])
    key, created = load_or_create_key(path, refuse)
    done = build_scenario(sis, key, pin_current=pin_current)
    ids = merge_ids(key, done.ids)
    folder = write_import(Path(out), sis, done, pin_current)
    sc = done.scenario
    summary = (f"{folder}: {sis.school_name}: {len(sc.students):,} students, {len(sc.staff):,} staff, "
               f"{len(sc.courses):,} courses, {len(sc.rooms):,} rooms, {len(sc.requests):,} requests"
               + (f", {len(sc.pins):,} pinned sections" if pin_current else "")
               + f". Read {folder / 'IMPORT-REPORT.md'}: it lists every default to check.")
    return ImportDone(folder, key, created, ids, summary)


def read_school(kind: str, source: Path, school: str | None) -> SisSchool:
    """Read one school of an export; every problem raises ScenarioInvalid."""
    if kind == "edfi":
        from workbench.interop.edfi import read_edfi

        return read_edfi(source, school or "")
    from workbench.interop.oneroster import read_oneroster

    return read_oneroster(source, school)


def run_import(kind: str, source: Path, out: Path, key_path: Path | None, school: str | None,
               pin_current: bool) -> None:
    """The command: one line per problem and exit 1 on bad input; a summary and the key's place on success."""
    import typer

    from workbench.console import fail_with
    from workbench.errors import ScenarioInvalid

    try:
        sis = read_school(kind, Path(source), school)
        done = import_school(sis, Path(out), key_path, Path(source), pin_current=pin_current)
    except ScenarioInvalid as exc:
        fail_with(exc)
    if done.key_created:
        typer.echo(f"made a new key {done.key.path} ({done.key.key_id}): keep it safe and out of shared folders; "
                   "the same key gives the same pseudonyms next year")
    typer.echo(done.summary)
