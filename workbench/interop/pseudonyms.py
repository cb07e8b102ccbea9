"""Keyed pseudonyms for the people of an imported school, and the way back to their real IDs.

Why keyed: a plain hash of a student number can be reversed by hashing every possible number; an HMAC
needs the district's secret key as well. The key is 32 random bytes in a file created on first import
(mode 0600) and kept outside every scenario, so a scenario or a result can be shared without the key,
and the same key gives the same pseudonyms next year, so imports line up.

The way back: beside the key sits `<key file>.ids.csv` (kind, pseudonym, sis_id; mode 0600), merged at
every import. It is no more secret than the key itself: whoever holds the key and the SIS export can
rebuild it. `workbench export --oneroster` reads it and checks every row against the key (a pseudonym
is only restored when HMAC(key, its SIS ID) gives it back), so a table that belongs to another key, or
was edited, is refused rather than trusted.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import Problem, ScenarioInvalid

KEY_BYTES = 32
HEX_LENGTH = 10                     # 40 bits: a clash among 5,000 students has odds of about 1 in 100,000
PREFIX = {"student": "S", "staff": "T"}
KEYS_HOME = Path("~/.workbench/keys")


def default_key_path(district: str) -> Path:
    """~/.workbench/keys/<district>.key, the district's ID made safe for a file name."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", district).strip("-.") or "district"
    return KEYS_HOME.expanduser() / f"{slug}.key"


def ids_path(key_path: Path) -> Path:
    return key_path.with_name(key_path.name + ".ids.csv")


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.expanduser().resolve(), folder.expanduser().resolve()
    return path == folder or folder in path.parents


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable only by its owner, all at once (a crash leaves the old file or none)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Key:
    """The district's secret. `pseudonym("student", "604821")` -> `S-3f9a2c1d7e`."""

    secret: bytes
    path: Path

    @property
    def key_id(self) -> str:
        """A fingerprint that names the key without revealing it: written in the scenario, so an export
        can tell a wrong key from the right one."""
        return "K-" + hmac.new(self.secret, b"workbench key id", hashlib.sha256).hexdigest()[:HEX_LENGTH]

    def pseudonym(self, kind: str, sis_id: str) -> str:
        digest = hmac.new(self.secret, f"{kind}:{sis_id}".encode(), hashlib.sha256).hexdigest()
        return f"{PREFIX[kind]}-{digest[:HEX_LENGTH]}"


def load_or_create_key(path: Path, refuse_inside: list[Path]) -> tuple[Key, bool]:
    """The key at `path`, made (0600, in a 0700 folder) when the file does not exist yet; `True` when made.

    Raises ScenarioInvalid when the path lies inside a folder that will be shared (the scenario), or the
    file is not a key this program wrote."""
    path = path.expanduser()
    for folder in refuse_inside:
        if _inside(path, folder):
            raise ScenarioInvalid([Problem(str(path), None, None, f"the key file would sit inside {folder}, "
                                           "which is shared with the scenario",
                                           "keep the key outside the scenario: give --key a path elsewhere, "
                                           "e.g. ~/.workbench/keys/district.key")])
    if path.is_dir():
        raise ScenarioInvalid([Problem(str(path), None, None, "is a folder, not a key file",
                                       "give --key the path of a file (it is created on first import)")])
    if not path.exists():
        secret = secrets.token_bytes(KEY_BYTES)
        _write_private(path, secret.hex().encode() + b"\n")
        return Key(secret, path), True
    return read_key(path), False


def read_key(path: Path) -> Key:
    """An existing key file; a missing or damaged one is a Problem, never a fresh key."""
    path = path.expanduser()
    try:
        text = path.read_text(encoding="ascii").strip()
        secret = bytes.fromhex(text)
    except FileNotFoundError:
        raise ScenarioInvalid([Problem(str(path), None, None, "key file not found",
                                       "give --key the key file made when the school was imported")]) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ScenarioInvalid([Problem(str(path), 1, None, f"is not a workbench key file ({type(exc).__name__})",
                                       "give --key the key file made by `workbench import`")]) from None
    if len(secret) != KEY_BYTES:
        raise ScenarioInvalid([Problem(str(path), 1, None, f"holds {len(secret)} bytes, not {KEY_BYTES}",
                                       "give --key the key file made by `workbench import`")])
    return Key(secret, path)


def read_ids(key: Key) -> dict[str, tuple[str, str]]:
    """pseudonym -> (kind, sis_id) from the table beside the key; rows that do not match the key are refused."""
    path = ids_path(key.path)
    if not path.exists():
        return {}
    table: dict[str, tuple[str, str]] = {}
    problems = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            kind, pseudonym, sis_id = row.get("kind"), row.get("pseudonym"), row.get("sis_id")
            if kind not in PREFIX or not sis_id or key.pseudonym(kind, sis_id) != pseudonym:
                problems.append(Problem(str(path), line, "pseudonym", "does not match the key beside it",
                                        "import the school again with this key to rebuild the ID table"))
                continue
            table[pseudonym] = (kind, sis_id)
    if problems:
        raise ScenarioInvalid(problems[:5])
    return table


def merge_ids(key: Key, rows: dict[str, tuple[str, str]]) -> Path:
    """Add this import's pseudonyms to the ID table beside the key (sorted, so the file is stable)."""
    table = read_ids(key)
    table.update(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "pseudonym", "sis_id"])
    for pseudonym in sorted(table):
        writer.writerow([table[pseudonym][0], pseudonym, table[pseudonym][1]])
    path = ids_path(key.path)
    _write_private(path, out.getvalue().encode("utf-8"))
    return path
