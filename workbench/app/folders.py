"""Which folders a workbench session may read: only those the server was started with.

A workshop's server runs with its owner's rights, and anyone with the page open can type a path. The
Compare page used to open whatever the server could read (another school's result, /etc, ~/.ssh). Now a
typed path is resolved (symlinks included) and must lie inside one of the roots: the scenario folders given
to `workbench serve` and its --results folders. A folder that lies inside but holds a link to a file outside
is refused too, since reading it would read that file. The refusal never says whether the path exists.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_DEPTH = 3          # how deep below a root result folders are listed
MAX_LISTED = 200       # a results folder of a whole district lists its first 200


class OutsideServedFolders(ValueError):
    """A path outside the served folders (or leading outside through a link); the message says why."""


def resolve_roots(roots: list[str | Path]) -> list[Path]:
    """Each root as an absolute path with its symlinks resolved, duplicates and non-folders dropped."""
    out: list[Path] = []
    for root in roots:
        path = Path(root).resolve()
        if path.is_dir() and path not in out:
            out.append(path)
    return out


PRIVATE = ".workbench-sessions"   # each browser session's saved work (workbench.app.keep): never served


def _inside(path: Path, roots: list[Path]) -> bool:
    return any((path == root or path.is_relative_to(root)) and PRIVATE not in path.relative_to(root).parts
               for root in roots)


def shown_name(path: Path, roots: list[Path]) -> str:
    """How a served folder is named on the page: from its root's name down (`riverside-middle/result`),
    never the server's absolute path."""
    for root in roots:
        if path == root or path.is_relative_to(root):
            return str(Path(root.name) / path.relative_to(root))
    raise OutsideServedFolders(f"{path.name} is not inside the folders this workbench serves")


def links_out(folder: Path, roots: list[Path]) -> list[str]:
    """Names of the entries in `folder` that are links resolving outside every root."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(entry.name for entry in entries if entry.is_symlink() and not _inside(entry.resolve(), roots))


def confine(text: str, roots: list[Path]) -> Path:
    """The served folder a person typed, resolved; raises `OutsideServedFolders` for anything outside the roots.

    A relative path is read from each root's parent (so `riverside-middle/result`, as the page names it,
    works) and then from the server's working folder. `~` is not expanded: it would name the server's home."""
    typed = text.strip()
    names = ", ".join(root.name for root in roots) or "none"
    refused = OutsideServedFolders(
        f"{typed or 'an empty path'} is outside the folders this workbench serves ({names}): "
        "only result folders inside them can be opened")
    if not typed or "\x00" in typed:
        raise refused
    path = Path(typed)
    candidates = [path] if path.is_absolute() else [root.parent / path for root in roots] + [Path.cwd() / path]
    for candidate in candidates:
        try:
            resolved = candidate.resolve()
        except (OSError, RuntimeError):   # a symlink loop, a name too long
            continue
        if _inside(resolved, roots) and not resolved.is_dir():
            raise OutsideServedFolders(f"{shown_name(resolved, roots)} is not a folder: give the result folder itself")
        if _inside(resolved, roots):
            escaping = links_out(resolved, roots)
            if escaping:
                raise OutsideServedFolders(f"{shown_name(resolved, roots)} links to files outside the folders this "
                                    f"workbench serves ({', '.join(escaping)}): it is not opened")
            return resolved
    raise refused


def result_folders(roots: list[Path]) -> list[str]:
    """The result folders (holding summary.json) inside the roots, as the page names them, for suggestions.
    Links are not followed, so the list never reaches outside."""
    found: list[str] = []
    for root in roots:
        for here, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = [d for d in dirs if d != PRIVATE]
            depth = len(Path(here).relative_to(root).parts)
            if depth >= MAX_DEPTH:
                dirs[:] = []
            if "summary.json" in files:
                found.append(shown_name(Path(here), roots))
            if len(found) >= MAX_LISTED:
                return sorted(found)
    return sorted(found)
