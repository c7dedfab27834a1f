"""Writing one ``OUT/<slug>/`` folder without losing anything coopdocs did not write.

coopdocs replaces only what it wrote itself: the files its previous ``coopdocs-manifest.json``
lists, while their SHA-256 still matches. Any other file or folder in the target is kept. The
build refuses (``OutputError``, exit 3), writing nothing, when

- the target is a symbolic link or not a folder;
- an output would replace a file that is not coopdocs' unchanged output (edited since, or put
  there by someone else) - unless ``overwrite_edited`` (``--overwrite-edited``) or ``force``;
- an output's name is taken by a folder or a link (always);
- the folder's manifest is of another cooperative (another input hash *and* another name or
  BIN) - unless ``force`` (``--force``).

Writers to one target are serialised by ``fcntl.flock`` on ``OUT/.<slug>.lock`` (released by
the kernel when a process dies; the file is removed when the writer is done). Every output is
written and synced in a staging folder ``OUT/.<slug>.XXXXXXXX.tmp`` (holding the marker file
``.coopdocs-staging``) first; then the files are moved in one by one, the manifest last. An
error while moving puts every previous file back. A process killed while moving leaves
``.coopdocs-pending.json`` in the target: it lists the SHA-256 of both the old and the new
outputs, so the next run still recognises every file it wrote. Staging folders left by a
killed writer are removed by the next run in that OUT (only folders with the marker, and only
when no live writer holds their target's lock).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopdocs.errors import OutputError
from coopdocs.writers.manifest import MANIFEST, Output, manifest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: writers are not serialised there
    fcntl = None  # type: ignore[assignment]

MARKER = ".coopdocs-staging"
PENDING = ".coopdocs-pending.json"
_STAGING = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp$")
_OURS = (MANIFEST, PENDING, MARKER)


def _text(key: str, lang: str, **values: Any) -> str:
    from coopdocs.diagnostics import ui_words

    return ui_words("_ui_output", lang)[key].format(**values)


def _fail(key: str, lang: str, **values: Any) -> OutputError:
    return OutputError(_text(key, lang, **values), hint=_text(f"{key}_hint", lang, **values))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


# ---------------------------------------------------------------------------------------------
# The lock


@contextlib.contextmanager
def locked(parent: Path, name: str, lang: str = "en") -> Iterator[None]:
    """Hold ``OUT/.<name>.lock`` exclusively (waiting for another writer to finish)."""
    fd = _lock(parent, name, blocking=True, lang=lang)
    try:
        yield
    finally:
        _unlock(parent, name, fd)


def _lock(parent: Path, name: str, *, blocking: bool, lang: str = "en") -> int | None:
    """The open, locked lock file's descriptor; None if ``blocking`` is False and it is held.

    The lock file is removed on release; a writer that locked a file since removed (or replaced)
    tries again, so two writers never hold two different files of one name."""
    path = parent / f".{name}.lock"
    if fcntl is None:  # pragma: no cover
        return -1
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        try:
            fd = os.open(path, flags, 0o644)
        except OSError as exc:
            raise _fail("lock", lang, path=path, reason=_reason(exc)) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        try:
            now = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            now = None
        held = os.fstat(fd)
        if now is not None and (now.st_ino, now.st_dev) == (held.st_ino, held.st_dev):
            return fd
        os.close(fd)


def _unlock(parent: Path, name: str, fd: int | None) -> None:
    if fd is None or fd < 0:
        return
    with contextlib.suppress(OSError):
        os.unlink(parent / f".{name}.lock")
    os.close(fd)


# ---------------------------------------------------------------------------------------------
# Stale staging folders


def _staging_target(path: Path) -> str | None:
    """The target a staging folder was made for, if coopdocs made it (by name and by marker)."""
    match = _STAGING.match(path.name)
    if match is None:
        return None
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            return None
        mark = path / MARKER
        if not stat.S_ISREG(os.lstat(mark).st_mode):
            return None
        target = json.loads(mark.read_text(encoding="utf-8")).get("target")
    except (OSError, ValueError, AttributeError):
        return None
    return target if target == match.group("target") else None


def clean_stale(parent: Path, own: str | None = None) -> list[Path]:
    """Remove the staging folders that killed writers left in ``parent``; returns them.

    Only folders named ``.<target>.XXXXXXXX.tmp`` holding the marker file that names ``<target>``
    are touched (not even an empty folder so named: another program may be about to fill it), and
    only when no live writer holds ``<target>``'s lock (``own``: the target whose lock the caller
    holds)."""
    removed: list[Path] = []
    if fcntl is None:  # pragma: no cover - without locks a live writer cannot be told from a dead one
        return removed
    try:
        entries = sorted(parent.iterdir())
    except OSError:
        return removed
    for path in entries:
        target = _staging_target(path)
        if target is None:
            continue
        if target == own:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
            continue
        try:
            fd = _lock(parent, target, blocking=False)
        except OutputError:
            continue
        if fd is None:
            continue  # a live writer is using it
        try:
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
        finally:
            _unlock(parent, target, fd)
    return removed


# ---------------------------------------------------------------------------------------------
# What the target holds, and what coopdocs may do with it


@dataclass
class _Plan:
    exists: bool
    previous: dict[str, Any] | None  # the previous manifest, if readable
    known: dict[str, set[str]] = field(default_factory=dict)  # name -> SHA-256 coopdocs wrote there
    remove: list[str] = field(default_factory=list)  # old unchanged outputs no longer produced


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _safe_name(name: object) -> bool:
    return isinstance(name, str) and bool(name) and Path(name).name == name and not name.startswith(".")


def _known(previous: dict[str, Any] | None, pending: dict[str, Any] | None) -> dict[str, set[str]]:
    known: dict[str, set[str]] = {}
    for entry in (previous or {}).get("outputs") or []:
        if isinstance(entry, dict) and _safe_name(entry.get("file")) and isinstance(entry.get("sha256"), str):
            known.setdefault(entry["file"], set()).add(entry["sha256"])
    for name, shas in ((pending or {}).get("known") or {}).items():
        if _safe_name(name) and isinstance(shas, list):
            known.setdefault(name, set()).update(s for s in shas if isinstance(s, str))
    return known


def _kind(path: Path) -> str | None:
    """None (absent), 'file', 'folder' or 'link' (or another non-file)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return "file"
    return "folder" if stat.S_ISDIR(mode) else "link"


def _plan(
    target: Path, outputs: Sequence[Output], info: Mapping[str, Any], lang: str, overwrite_edited: bool, force: bool
) -> _Plan:
    kind = _kind(target)
    if kind is None:
        return _Plan(False, None)
    if kind == "link":
        raise _fail("link", lang, target=target)
    if kind != "folder":
        raise _fail("not_folder", lang, target=target)
    previous = _read_json(target / MANIFEST)
    plan = _Plan(True, previous, _known(previous, _read_json(target / PENDING)))
    if previous is not None and not force:
        other = other_cooperative(previous, info)
        if other is not None:
            raise _fail("other", lang, target=target, old=other[0], new=other[1])
    new = {o.name: o.sha256 for o in outputs}
    blocked, edited = [], []
    for name in sorted({*new, MANIFEST, PENDING}):
        what = _kind(target / name)
        if what is None:
            continue
        if what != "file":
            blocked.append(name)
        elif name in new:
            sha = _sha256(target / name)
            if sha != new[name] and sha not in plan.known.get(name, set()):
                edited.append(name)
    if blocked:
        raise _fail("blocked", lang, target=target, files=", ".join(blocked))
    if edited and not (overwrite_edited or force):
        raise _fail("edited", lang, target=target, files=", ".join(edited))
    for name, shas in sorted(plan.known.items()):
        if name not in new and _kind(target / name) == "file" and _sha256(target / name) in shas:
            plan.remove.append(name)
    return plan


# ---------------------------------------------------------------------------------------------
# Which cooperative a folder holds


def _input_hashes(info: Mapping[str, Any]) -> set[str]:
    source = info.get("input")
    if not isinstance(source, dict):
        return set()
    if isinstance(source.get("sha256"), str):
        return {source["sha256"]}
    return {v["sha256"] for v in source.values() if isinstance(v, dict) and isinstance(v.get("sha256"), str)}


def _names(info: Mapping[str, Any]) -> list[str]:
    coop = info.get("cooperative")
    name = coop.get("name") if isinstance(coop, dict) else None
    values = name.values() if isinstance(name, dict) else [name]
    out: list[str] = []
    for value in values:
        if isinstance(value, str) and value.strip() and value.strip() not in out:
            out.append(value.strip())
    return out


def _bin(info: Mapping[str, Any]) -> str | None:
    coop = info.get("cooperative")
    value = coop.get("bin") if isinstance(coop, dict) else None
    return str(value) if value else None


def _describe(info: Mapping[str, Any]) -> str:
    text = " / ".join(f"«{n}»" for n in _names(info)) or "?"
    if _bin(info):
        text += f" BIN {_bin(info)}"
    source = info.get("input")
    files = []
    if isinstance(source, dict):
        if isinstance(source.get("file"), str):
            files = [source["file"]]
        else:
            files = [v["file"] for v in source.values() if isinstance(v, dict) and isinstance(v.get("file"), str)]
    return text + (f" ({', '.join(files)})" if files else "")


def other_cooperative(previous: Mapping[str, Any], info: Mapping[str, Any]) -> tuple[str, str] | None:
    """(the folder's cooperative, this build's) when ``previous`` (a manifest) is of another
    cooperative: another input hash, and another BIN (when both have one) or no common name.
    A manifest without a ``cooperative`` entry (an older coopdocs) is never called another's."""
    if not isinstance(previous.get("cooperative"), dict) or _input_hashes(previous) & _input_hashes(info):
        return None
    old_bin, new_bin = _bin(previous), _bin(info)
    if old_bin and new_bin:
        same = old_bin == new_bin
    else:
        same = bool({n.casefold() for n in _names(previous)} & {n.casefold() for n in _names(info)})
    return None if same else (_describe(previous), _describe(info))


# ---------------------------------------------------------------------------------------------
# Writing


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_folder(
    target: Path,
    outputs: Sequence[Output],
    info: Mapping[str, Any],
    *,
    lang: str = "en",
    overwrite_edited: bool = False,
    force: bool = False,
) -> Path:
    """Write ``outputs`` and the manifest into ``target``, replacing only what coopdocs wrote there.

    ``lang`` is the language of the messages; ``overwrite_edited`` lets outputs replace files that
    changed since coopdocs wrote them (or that it did not write); ``force`` also lets it replace
    another cooperative's documents (and implies ``overwrite_edited``). See the module's notes."""
    for o in outputs:
        if not _safe_name(o.name) or o.name == MANIFEST:
            raise OutputError(f"refusing to write an output named {o.name!r}")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail("parent", lang, path=parent, reason=_reason(exc)) from exc
    with locked(parent, target.name, lang):
        clean_stale(parent, own=target.name)
        try:
            plan = _plan(target, outputs, info, lang, overwrite_edited, force)
            _apply(target, plan, outputs, info)
        except OSError as exc:
            raise _fail("write", lang, target=target, reason=_reason(exc)) from exc
    return target


def _apply(target: Path, plan: _Plan, outputs: Sequence[Output], info: Mapping[str, Any]) -> None:
    parent = target.parent
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        (staging / MARKER).write_text(json.dumps({"target": target.name, "pid": os.getpid()}), encoding="utf-8")
        for o in outputs:
            _write_synced(staging / o.name, o.data)
        _write_synced(staging / MANIFEST, manifest(outputs, info))
        known = {name: set(shas) for name, shas in plan.known.items()}
        for o in outputs:
            known.setdefault(o.name, set()).add(o.sha256)
        journal = {"target": target.name, "known": {n: sorted(s) for n, s in sorted(known.items())}}
        _write_synced(staging / PENDING, json.dumps(journal, indent=1).encode("utf-8"))
        _move_in(target, plan, outputs, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_in(target: Path, plan: _Plan, outputs: Sequence[Output], staging: Path) -> None:
    """Move the staged files over the old ones, the manifest last; on an error put everything back."""
    created = False
    had_pending = _kind(target / PENDING) == "file"
    if not plan.exists:
        os.mkdir(target, 0o755)
        created = True
    backup = staging / "replaced"
    backup.mkdir()
    moved: list[tuple[str, bool, bool]] = []  # (name, an old file was set aside, a new file was moved in)
    committed = False
    try:
        os.replace(staging / PENDING, target / PENDING)
        _sync_dir(target)
        for o in outputs:
            old = _kind(target / o.name) == "file"
            if old:
                os.rename(target / o.name, backup / o.name)
            moved.append((o.name, old, False))
            os.rename(staging / o.name, target / o.name)
            moved[-1] = (o.name, old, True)
        for name in plan.remove:
            os.rename(target / name, backup / name)
            moved.append((name, True, False))
        os.replace(staging / MANIFEST, target / MANIFEST)
        committed = True
        _sync_dir(target)
        with contextlib.suppress(OSError):
            os.unlink(target / PENDING)
    except BaseException:
        if not committed:
            _roll_back(target, moved, backup, created=created, keep_pending=had_pending)
        raise


def _roll_back(
    target: Path, moved: list[tuple[str, bool, bool]], backup: Path, *, created: bool, keep_pending: bool
) -> None:
    """Undo the moves. The journal stays if it was there before (a killed writer's files may
    still be mixed) or if a move could not be undone."""
    clean = True
    for name, old, new in reversed(moved):
        try:
            if new:
                os.unlink(target / name)
            if old:
                os.rename(backup / name, target / name)
        except OSError:
            clean = False
    if clean and not keep_pending:
        with contextlib.suppress(OSError):
            os.unlink(target / PENDING)
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(target)


def owner_key(folder: Path) -> str | None:
    """The input path key (``input.path_sha256``) recorded by ``folder``'s manifest, if any."""
    previous = _read_json(folder / MANIFEST)
    source = previous.get("input") if previous else None
    key = source.get("path_sha256") if isinstance(source, dict) else None
    return key if isinstance(key, str) else None
