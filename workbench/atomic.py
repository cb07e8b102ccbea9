"""Write a folder all at once, and only where the caller may: nothing half-written is ever seen, and nothing
the program did not write is ever replaced.

A write *claims* the target first (`claim_folder`): it refuses a target that is the root, a link, a file, a
protected folder (the scenario being solved, the working folder) or a folder that contains one; it creates
missing parent folders; it takes an exclusive lock (`.<name>.lock` beside the target, so two writers of one
folder never race and the loser is told why); it finishes or removes what an earlier, killed write left
behind; and it asks the caller's `guard` whether the folder there may be replaced. Only then does
`Claim.write` build the new folder beside the target (`.<name>.writing-XXXXXXXX`) and swap it in.

On Linux the swap is one `renameat2(RENAME_EXCHANGE)`: at every instant the target holds either the
complete old folder or the complete new one, whenever the process is killed. Where that call is missing,
the swap is two renames with the old folder parked as `.<name>.old-XXXXXXXX`; a kill between them leaves
the target missing for a moment, and the next claim of the same target renames the parked folder back
(that name is the journal).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class FolderRefused(Exception):
    """The target may not be written (or replaced); the message is one plain sentence naming it."""


class FolderBusy(FolderRefused):
    """Another process (or thread) holds the lock on the target: it is writing there now."""


def _load_renameat2() -> Callable | None:
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _load_renameat2()


def rename2(source: Path, target: Path, flags: int) -> bool:
    """`renameat2(source, target, flags)`; False when this platform or file system cannot (the caller falls
    back to plain renames), OSError for a real failure."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(source), None, str(target))


def _strays(target: Path) -> list[Path]:
    """What earlier, killed writes of `target` left beside it, newest first."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(writing|old)-[a-z0-9_]{{8}}$")
    try:
        found = [p for p in target.parent.iterdir() if pattern.match(p.name)]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.lstat().st_mtime_ns, reverse=True)


def recover(target: Path) -> None:
    """Finish what a killed write left: a parked old folder goes back when the target is missing (the
    fallback swap was cut between its two renames); every other stray is removed. Call under the lock."""
    strays = _strays(target)
    if not os.path.lexists(target):
        parked = [p for p in strays if ".old-" in p.name]
        if parked:
            os.rename(parked[0], target)
            strays.remove(parked[0])
    for stray in strays:
        if stray.is_dir() and not stray.is_symlink():
            shutil.rmtree(stray, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                stray.unlink()


def _inside(folder: Path, other: Path) -> bool:
    """True when `folder` is `other` or one of its parents (both already resolved)."""
    return folder == other or folder in other.parents


def _refuse_protected(target: Path, protect: Iterable[tuple[str | Path, str]]) -> None:
    real = Path(os.path.realpath(target))
    for path, what in protect:
        kept = Path(os.path.realpath(path))
        if real == kept:
            raise FolderRefused(f"{target} is {what}: it is never replaced; give another folder")
        if _inside(real, kept):
            raise FolderRefused(f"{target} contains {what} ({kept}): it is never replaced; give another folder")


def _make_parents(target: Path) -> list[Path]:
    """Create the missing folders above the target; return them (outermost first) so that a claim that
    writes nothing can take them away again."""
    missing = []
    for folder in target.parents:
        if os.path.lexists(folder):
            if not folder.is_dir():
                raise FolderRefused(f"cannot create {target}: {folder} is a file, not a folder")
            break
        missing.append(folder)
    created = []
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            continue
        except OSError as exc:
            _remove_empty(created)
            raise FolderRefused(f"cannot create {folder}: {exc.strerror.lower()}") from None
        created.append(folder)
    return created


def _remove_empty(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            os.rmdir(folder)


def _lock(path: Path, target: Path) -> int:
    """An exclusive, non-blocking flock on `path`; the file is removed on release, so after taking the
    lock check that it is still the file at that name (another releaser may have just removed it)."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise FolderRefused(f"cannot write in {path.parent}: {exc.strerror.lower()}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderBusy(f"another solve is writing to {target} right now; wait for it to finish or give "
                             "another folder") from None
        try:
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Claim:
    """A target held under its lock. `write()` builds and swaps in the new folder; `written` says whether
    the target now holds it."""

    target: Path
    guard: Callable[[Path], str | None]
    lock_fd: int = -1
    created: list[Path] = field(default_factory=list)
    new_inode: int | None = None

    @property
    def written(self) -> bool:
        """Whether the target now holds the folder this claim wrote (asked of the file system, so that the
        answer is true whenever the process was interrupted)."""
        try:
            return self.new_inode is not None and os.lstat(self.target).st_ino == self.new_inode
        except OSError:
            return False

    @property
    def lock_path(self) -> Path:
        return self.target.parent / f".{self.target.name}.lock"

    def check(self) -> None:
        """Ask the guard (again: the folder may have changed during a long solve) whether the target may
        be replaced; FolderRefused if not."""
        reason = self.guard(self.target) if os.path.lexists(self.target) else None
        if reason:
            raise FolderRefused(f"{self.target} {reason}")

    @contextlib.contextmanager
    def write(self) -> Iterator[Path]:
        """Yield an empty folder (with the user's usual permissions) to fill; when the block ends without
        an error it replaces the target in one step; on any error it is removed and the target is exactly
        as it was."""
        self.check()
        tmp = self._new_folder("writing")
        try:
            yield tmp
            for item in tmp.iterdir():
                if item.is_file():
                    _fsync(item)
            _fsync(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._swap(tmp)

    def _new_folder(self, kind: str) -> Path:
        while True:
            path = self.target.parent / f".{self.target.name}.{kind}-{secrets.token_hex(4)}"
            try:
                os.mkdir(path, 0o777)       # the umask applies, as for any folder the user makes
                return path
            except FileExistsError:
                continue

    def _swap(self, tmp: Path) -> None:
        self.new_inode = os.lstat(tmp).st_ino
        try:
            if os.path.lexists(self.target):
                if not rename2(tmp, self.target, RENAME_EXCHANGE):
                    self._swap_in_two_steps(tmp)
                    return
            elif not rename2(tmp, self.target, RENAME_NOREPLACE):
                os.rename(tmp, self.target)
        except BaseException:
            if not self.written:        # stopped before the swap: the target is as it was
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        self._finish(tmp)

    def _swap_in_two_steps(self, tmp: Path) -> None:
        parked = self.target.parent / f".{self.target.name}.old-{secrets.token_hex(4)}"
        try:
            os.rename(self.target, parked)
            os.rename(tmp, self.target)
        except BaseException:
            if not self.written:
                if not os.path.lexists(self.target) and os.path.lexists(parked):
                    os.rename(parked, self.target)
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        self._finish(parked)

    def _finish(self, old: Path) -> None:
        """The new folder is in place: make that durable, then remove the old one. Being stopped here
        loses nothing (the next claim removes what is left), so an interrupt is not passed on."""
        try:
            _fsync(self.target.parent)
            shutil.rmtree(old, ignore_errors=True)
        except (OSError, KeyboardInterrupt):
            pass

    def release(self) -> None:
        if self.lock_fd >= 0:
            with contextlib.suppress(OSError):
                os.unlink(self.lock_path)
            os.close(self.lock_fd)
            self.lock_fd = -1
        if not self.written:
            _remove_empty(self.created)


def _normalised(target: str | Path) -> Path:
    target = Path(os.path.abspath(target))
    if not target.name:
        raise FolderRefused(f"{target} is the root of the file system: give a folder inside it")
    if target.is_symlink():
        raise FolderRefused(f"{target} is a link: give the folder itself, or a new folder")
    if os.path.lexists(target) and not target.is_dir():
        raise FolderRefused(f"{target} is a file, not a folder: give a folder name")
    return target


@contextlib.contextmanager
def claim_folder(target: str | Path, guard: Callable[[Path], str | None] = lambda path: None,
                 protect: Iterable[tuple[str | Path, str]] = ()) -> Iterator[Claim]:
    """Hold `target` for writing: checked, locked and tidied (see the module docstring). `guard(target)`
    returns why an existing folder there must not be replaced, or None; `protect` lists (path, "what it
    is") pairs that are never replaced whatever the guard says. Raises FolderRefused (FolderBusy when
    another writer holds it) before anything is written."""
    target = _normalised(target)
    _refuse_protected(target, protect)
    claim = Claim(target, guard)
    claim.created = _make_parents(target)
    try:
        claim.lock_fd = _lock(claim.lock_path, target)
        try:
            recover(target)
        except OSError as exc:
            raise FolderRefused(f"cannot tidy what an earlier, stopped write left beside {target}: "
                                f"{exc.strerror or exc}") from None
        claim.check()
        yield claim
    finally:
        claim.release()


@contextlib.contextmanager
def atomic_folder(target: str | Path, guard: Callable[[Path], str | None] = lambda path: None) -> Iterator[Path]:
    """Yield an empty folder to fill; on success it replaces `target` in one step, on any error it is
    removed and `target` (if it existed) is left exactly as it was. `guard` as for `claim_folder`."""
    with claim_folder(target, guard) as claim, claim.write() as tmp:
        yield tmp


# ---- single files people open: exports and reports ------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # what a spreadsheet reads as the start of a formula


def write_atomically(path: Path, write: Callable[[Path], None]) -> Path:
    """Write a file beside `path` and move it into place in one step, so that a failed export never leaves
    half a file where a previous one was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.writing-{secrets.token_hex(4)}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def refuse_output(path: Path, option: str, suffixes: tuple[str, ...]) -> str | None:
    """Why an export must not write to `path` (one sentence), or None: never over a folder, never into a
    path under a file, and only to a file of the export's own kind, so that no other file is replaced."""
    if path.is_dir():
        return f"{path} is a folder: give {option} a file name, such as {path / ('result' + suffixes[0])}"
    if path.suffix.lower() not in suffixes:
        return f"{option} {path}: give a file name ending in {suffixes[0]}, so that no other kind of file is replaced"
    above = next((p for p in path.parents if os.path.lexists(p)), None)
    if above is not None and not above.is_dir():
        return f"cannot write {path}: {above} is a file, not a folder"
    return None


def formula_like(value: object) -> bool:
    """Text a spreadsheet would run as a formula when a CSV holding it is opened (FORMULA_START first)."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def spreadsheet_safe(frame):
    """A copy of a report table for people to open in a spreadsheet: a text cell that a spreadsheet would
    read as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe, so it stays text. Numbers are
    left as numbers. (Result folders are not defused: the program reads them back and IDs must match; instead
    `workbench validate` refuses a scenario whose text begins like a formula, so no result can carry one.)"""
    out = frame.copy()
    for column in out.columns:
        risky = out[column].map(formula_like)
        if risky.any():
            out.loc[risky, column] = "'" + out.loc[risky, column].astype(str)
    return out


def write_report_csv(frame, path: str | Path, option: str = "--csv") -> Path:
    """Write a report table (compare, review) as CSV for people: refused over a folder or another kind of
    file (FolderRefused), formulas defused, written atomically."""
    path = Path(path)
    reason = refuse_output(path, option, (".csv",))
    if reason:
        raise FolderRefused(reason)
    return write_atomically(path, lambda tmp: spreadsheet_safe(frame).to_csv(tmp, index=False))


def write_report_text(text: str, path: str | Path, option: str, suffixes: tuple[str, ...]) -> Path:
    """Write a report page (HTML) atomically, refused over a folder or another kind of file."""
    path = Path(path)
    reason = refuse_output(path, option, suffixes)
    if reason:
        raise FolderRefused(reason)
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
