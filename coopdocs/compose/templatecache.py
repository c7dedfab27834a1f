"""A disk cache of compiled Jinja code, so that a cold ``build`` does not compile ~2 500 clause texts
(and of the pack's parsed YAML, see "Parsed pack data" below).

Compiling the clause texts (parse, generate Python, ``compile()``) was about two thirds of a cold
``coopdocs build``; loading the same code objects with ``marshal`` takes a few per cent of that.

- **Where**: ``$COOPDOCS_CACHE_DIR`` if set, else the user cache directory (``$XDG_CACHE_HOME/coopdocs``
  or ``~/.cache/coopdocs``; ``~/Library/Caches/coopdocs`` on macOS, ``%LOCALAPPDATA%\\coopdocs\\Cache``
  on Windows), folder ``templates/``. ``COOPDOCS_NO_CACHE=1`` turns the cache off.
- **Key**: one file per set of template sources: the content hash of every file on the pack's template
  search path (the package's templates and a law firm's overrides), the coopdocs and jinja2 versions,
  the Python bytecode tag and the content hash of ``templating.py`` (the sandbox's rules). Inside a
  file, every entry is keyed by the environment's configuration (sandboxed, intercepted operators,
  autoescape, whitespace options), the kind (template or expression) and the exact source text, so
  a stale file can never hand one text another text's code: it can only miss.
- **The sandbox is kept**: the cached code is the code the sandboxed ``templating.Environment``
  generated (operators routed through ``call_binop``, calls through ``call``, attributes through
  ``getattr``), and it runs in that same environment; code of another configuration has another key.
- **Safe**: a file is written to a temporary file in the same folder and moved into place with
  ``os.replace`` (a reader sees the old file or the new one, never half of one); it carries a
  SHA-256 of its contents, and a file that is short, foreign or corrupt is ignored and rewritten.
  Two processes writing at once each write a complete file (the union of what is on disk and what
  they compiled). A folder that cannot be created, read or written means no cache, never an error.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

_MAGIC = b"COOPJC1\n"
_DIGEST = 32
KEEP_FILES = 8  # cache files kept (one per set of template sources); the oldest go first


def cache_dir() -> Path | None:
    """The folder of compiled templates, or None when the cache is turned off."""
    if os.environ.get("COOPDOCS_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("COOPDOCS_CACHE_DIR")
    if explicit:
        return Path(explicit) / "templates"
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "coopdocs" / "Cache"
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches" / "coopdocs"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coopdocs"
    return base / "templates"


def _hash_files(roots: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for root in roots:
        digest.update(b"\0root\0" + str(root).encode())
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            try:
                data = path.read_bytes()
            except OSError:
                data = b"\0unreadable\0"
            digest.update(str(path.relative_to(root)).encode() + b"\0" + len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


@cache
def _versions() -> bytes:
    import jinja2

    from coopdocs import __version__
    from coopdocs.compose import templating

    sandbox = hashlib.sha256(Path(templating.__file__).read_bytes()).hexdigest()
    parts = (_MAGIC.decode(), __version__, jinja2.__version__, sys.implementation.cache_tag, str(marshal.version))
    return "\0".join((*parts, sandbox)).encode()


def source_key(roots: Iterable[Path]) -> str:
    """The name of the cache file for the template sources under ``roots`` (see the module's docstring)."""
    return hashlib.sha256(_versions() + _hash_files(roots).encode()).hexdigest()[:40]


def _read(path: Path) -> dict[bytes, CodeType] | None:
    """A cache file's entries, or None if it is missing, foreign, short or corrupt."""
    entries = _read_entries(path, _MAGIC)
    if entries is None or not all(isinstance(v, CodeType) for v in entries.values()):
        return None
    return entries


def _read_entries(path: Path, magic: bytes) -> dict[bytes, Any] | None:
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(magic) + _DIGEST
    if len(blob) < head or not blob.startswith(magic):
        return None
    payload = blob[head:]
    if hashlib.sha256(payload).digest() != blob[len(magic) : head]:
        return None
    try:
        entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(entries, dict) or not all(isinstance(k, bytes) for k in entries):
        return None
    return entries


def _write(path: Path, entries: dict[bytes, Any], magic: bytes = _MAGIC, pattern: str = "jinja-*.bin") -> bool:
    payload = marshal.dumps(entries)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".bin", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(magic + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        return False
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _prune(path.parent, pattern)
    return True


def _prune(folder: Path, pattern: str = "jinja-*.bin") -> None:
    try:
        files = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP_FILES:]:
            old.unlink()
    except OSError:
        pass


class _Store:
    """The entries of the active cache file, and what this process compiled that it lacked."""

    def __init__(self) -> None:
        self.key: str | None = None
        self.path: Path | None = None
        self.entries: dict[bytes, CodeType] = {}
        self.dirty = False
        self.hits = 0
        self.misses = 0

    def activate(self, roots: tuple[Path, ...]) -> None:
        folder = cache_dir()
        if folder is None:
            self.key = self.path = None
            self.entries, self.dirty = {}, False
            return
        key = source_key(roots)
        if key == self.key and self.path is not None and self.path.parent == folder:
            return
        self.save()
        self.key, self.path = key, folder / f"jinja-{key}.bin"
        self.entries = _read(self.path) or {}
        self.dirty = False

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        merged = _read(self.path) or {}  # another process may have added entries meanwhile
        merged.update(self.entries)
        self.dirty = False
        _write(self.path, merged)


_STORE = _Store()
atexit.register(_STORE.save)


# ---------------------------------------------------------------------------------------------
# Parsed pack data (YAML)
#
# Building one cooperative reads ~60 YAML files of the pack (schemas, rules, clause libraries,
# wording): ~0.12 s of a cold `build` even with libyaml, most of it building Python objects. The
# parsed values are kept, ``marshal``-ed, in one file beside the templates' (``data/yaml-*.bin``),
# each keyed by the SHA-256 of the file's exact bytes and the parser: a changed file can only miss.
# Same writing rules as above (temporary file, ``os.replace``, checksum, union with what is on disk).

_DATA_MAGIC = b"COOPYD1\n"
# Every version of a pack file ever parsed stays in the file (an edited override, a new release): past this
# size, the next process that saves writes only the entries it used, and the stale ones are gone (the
# whole file is read by every process: at 28 MB, a quarter of a second).
DATA_CAP = 12 * 1024 * 1024


class _DataStore:
    def __init__(self) -> None:
        self.folder: Path | None = None
        self.path: Path | None = None
        self.entries: dict[bytes, Any] = {}
        self.dirty = False
        self.used: set[bytes] = set()  # the keys this process read or added
        self.oversize = False  # the file on disk is past DATA_CAP

    def _ready(self) -> bool:
        templates = cache_dir()
        if templates is None:
            return False
        folder = templates.parent / "data"
        if folder != self.folder:
            self.save()
            import yaml

            from coopdocs import __version__

            versions = "\0".join((_DATA_MAGIC.decode(), __version__, yaml.__version__, str(marshal.version)))
            self.folder = folder
            self.path = folder / f"yaml-{hashlib.sha256(versions.encode()).hexdigest()[:16]}.bin"
            self.entries = _read_entries(self.path, _DATA_MAGIC) or {}
            self.dirty = False
            self.used = set()
            try:
                self.oversize = self.path.stat().st_size > DATA_CAP
            except OSError:
                self.oversize = False
        return True

    def get(self, key: bytes) -> tuple[bool, Any]:
        if not self._ready() or key not in self.entries:
            return False, None
        self.used.add(key)
        return True, self.entries[key]

    def put(self, key: bytes, value: Any) -> None:
        if not self._ready():
            return
        try:
            marshal.dumps(value)  # only plain values (a YAML date, for one, is not kept)
        except ValueError:
            return
        self.entries[key] = value
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        if self.path is None or not (self.dirty or (self.oversize and self.used)):
            return
        if self.oversize:  # keep what this process used; the stale versions go
            merged = {key: self.entries[key] for key in self.used if key in self.entries}
            self.oversize = False
        else:
            merged = _read_entries(self.path, _DATA_MAGIC) or {}  # another process may have added some
            merged.update(self.entries)
        self.dirty = False
        _write(self.path, merged, _DATA_MAGIC, "yaml-*.bin")


_DATA = _DataStore()
atexit.register(_DATA.save)


def _data_key(raw: bytes, parser: str) -> bytes:
    return hashlib.sha256(parser.encode() + b"\0" + raw).digest()


def parsed(raw: bytes, parser: str) -> tuple[bool, Any]:
    """(True, the value) if the file with these bytes was parsed by ``parser`` before; else (False, None)."""
    return _DATA.get(_data_key(raw, parser))


def remember_parsed(raw: bytes, parser: str, value: Any) -> None:
    """Keep a parsed value for the next process (written by ``save`` or at exit)."""
    _DATA.put(_data_key(raw, parser), value)


def activate(roots: tuple[Path, ...]) -> None:
    """Use the cache file of these template roots (a pack's search path, overrides first)."""
    _STORE.activate(roots)


def save() -> None:
    """Write what this process compiled or parsed and the cache files lacked (also done at exit)."""
    _STORE.save()
    _DATA.save()


def stats() -> tuple[int, int]:
    """(hits, misses) of this process, for tests and the benchmark."""
    return _STORE.hits, _STORE.misses


def _default_roots() -> tuple[Path, ...]:
    """Before a build names its search path (``activate``): coopdocs' own templates folder (not a pack's;
    the entries are keyed by their source text, so any pack's compiled text is right here)."""
    from coopdocs.packs.pack import data_root

    return (data_root() / "templates",)


def compiled(fingerprint: bytes, kind: str, source: str, compile_: Callable[[], Any]) -> Any:
    """The code of ``source`` from the cache, or ``compile_()`` (then remembered for the cache file)."""
    if _STORE.key is None:
        if cache_dir() is None:
            return compile_()
        activate(_default_roots())
        if _STORE.path is None:
            return compile_()
    key = hashlib.sha256(fingerprint + b"\0" + kind.encode() + b"\0" + source.encode("utf-8", "surrogatepass")).digest()
    code = _STORE.entries.get(key)
    if code is not None:
        _STORE.hits += 1
        return code
    _STORE.misses += 1
    code = compile_()
    if isinstance(code, CodeType):
        _STORE.entries[key] = code
        _STORE.dirty = True
    return code
