"""Render the parts of docs/ that the code already knows, so that docs and code cannot drift.

Each generated block sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->` in a docs page.
`python docs/generate.py` rewrites the blocks in place; `python docs/generate.py --check` (and
tests/test_docs.py) fails when a block differs from what the code says now.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

DOCS = Path(__file__).resolve().parent


def _default(field) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    value = field.default_factory() if field.default_factory is not None else field.default
    return "`" + (str(value).lower() if isinstance(value, bool) else repr(value).replace("'", "")) + "`"


def _limit(meta) -> str:
    """An annotated-types bound (Ge, Le, Gt, Lt, MinLen) in words."""
    for attr, word in (("ge", "≥"), ("le", "≤"), ("gt", ">"), ("lt", "<"), ("min_length", "at least"),
                       ("max_length", "at most")):
        if hasattr(meta, attr):
            if attr == "min_length":
                return "not empty"
            return f"{word} {getattr(meta, attr)}" + (" entries" if attr == "max_length" else "")
    return str(meta)


def _section_model(kind) -> type[BaseModel] | None:
    """The settings model of a section, also when it is optional (`Lunch | None`)."""
    for part in (kind, *getattr(kind, "__args__", ())):
        if isinstance(part, type) and issubclass(part, BaseModel):
            return part
    return None


def _settings_rows(model: type[BaseModel], prefix: str = "") -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        kind = field.annotation
        section = _section_model(kind)
        if section is not None:
            needed = "required" if _default(field) == "required" else "optional"
            rows.append(f"| `{prefix}{name}:` | section | {needed} | {field.description or ''} |")
            rows.extend(_settings_rows(section, f"{prefix}{name}."))
            continue
        limits = ", ".join(_limit(m) for m in field.metadata)
        text = " — ".join(part for part in (field.description or "", limits) if part)
        kind_name = getattr(kind, "__name__", str(kind)).replace("typing.", "").replace(" | None", " or blank")
        rows.append(f"| `{prefix}{name}` | {kind_name} | {_default(field)} | {text} |")
    return rows


def settings_block() -> str:
    from workbench.scenario.settings import Settings

    return "\n".join(["| key | kind | default | notes |", "|---|---|---|---|", *_settings_rows(Settings)])


def tables_block() -> str:
    from workbench.scenario.schema import TABLES

    rows = ["| file | required columns (kind) | optional columns (kind) | unique key |", "|---|---|---|---|"]
    for spec in TABLES.values():
        req = ", ".join(f"`{c}` ({k})" for c, k in spec.required.items())
        opt = ", ".join(f"`{c}` ({k})" for c, k in spec.optional.items()) or "—"
        file = f"`{spec.file}`" + (" (optional file)" if spec.optional_file else "")
        rows.append(f"| {file} | {req} | {opt} | {', '.join(spec.key) or '—'} |")
    return "\n".join(rows)


def goal_kinds_block() -> str:
    from workbench.scenario.schema import GOAL_KINDS

    return "\n".join(f"- `{kind}`" for kind in GOAL_KINDS)


def rules_block() -> str:
    from workbench.plan.rules import RULES
    from workbench.results.rules import checker_of

    rows = ["| rule | what a breach means | the rule | checked by | model constraints | what-if switch |",
            "|---|---|---|---|---|---|"]
    for r in RULES.values():
        check = checker_of(r.id)
        where = check.__module__.removeprefix("workbench.") if check else ""
        checker = f"`{where}.{check.__name__}`" if check else "— (a rule of the design)"
        families = ", ".join(f"`{f}`" for f in r.families) or "—"
        rows.append(f"| {r.id} | {r.name} | {r.sentence} | {checker} | {families} | "
                    f"{'yes' if r.switchable else 'no'} |")
    return "\n".join(rows)


def commands_block() -> str:
    import typer.main

    from workbench.cli import app

    rows = ["| command | does |", "|---|---|"]
    for name, command in typer.main.get_command(app).commands.items():
        help_text = " ".join((command.help or "").split("\n\n")[0].split())
        rows.append(f"| `workbench {name}` | {help_text} |")
    return "\n".join(rows)


# What each staffing.csv column means; the block below lists them in the order `STAFFING_COLUMNS` writes them, so
# a column added to the code shows up in docs/results.md (as not yet described) until it is described here.
STAFFING_MEANINGS = {
    "staff_id": "the staff member: staff.csv's ID, or `NEW-<ROLE>-nn` for a new hire",
    "role": "the role in this design (a promotion changes it)",
    "new_hire": "1 for a new hire, 0 for a member of staff.csv",
    "annual_cost": "dollars a year: the role's cost × fte",
    "leader_id": "the multi-classroom leader whose team the teacher is on; blank for none",
    "subjects": "the subjects the staff member holds (`;`-list)",
    "effectiveness": "staff.csv's rating, 1-5; blank when unrated",
    "max_sections": "the most sections the staff member teaches: the smaller of staff.csv's and the role's",
    "unavailable_periods": "periods the staff member is away (`;`-list)",
    "fte": "full-time equivalent (blank in staff.csv: 1)",
    "teaches_sections": "1 when the role teaches sections",
    "tutors": "1 when the role leads small groups",
    "max_group_size": "the largest small group the role leads (students)",
    "reach": "teachers a leader may have on the team (0: not a leader)",
}


def staffing_columns_block() -> str:
    from workbench.scenario.staff_table import STAFFING_COLUMNS

    rows = ["| staffing.csv column | meaning |", "|---|---|"]
    rows += [f"| {c} | {STAFFING_MEANINGS.get(c, '**not yet described**')} |" for c in STAFFING_COLUMNS]
    return "\n".join(rows)


BLOCKS = {"staffing-columns": staffing_columns_block, "settings": settings_block, "tables": tables_block,
          "goal-kinds": goal_kinds_block, "rules": rules_block, "commands": commands_block}
PATTERN = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)


def render(text: str) -> str:
    return PATTERN.sub(lambda m: m.group(1) + BLOCKS[m.group("name")]() + "\n" + m.group(4), text)


def stale_pages() -> list[str]:
    """Docs pages whose generated blocks differ from the code."""
    return [page.name for page in sorted(DOCS.glob("*.md")) if render(page.read_text()) != page.read_text()]


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_pages()
        for name in stale:
            print(f"docs/{name} is out of date with the code: run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    for page in sorted(DOCS.glob("*.md")):
        page.write_text(render(page.read_text()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
