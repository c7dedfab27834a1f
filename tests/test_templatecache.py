"""The disk cache of compiled templates (coopdocs/compose/templatecache.py): same bytes, invalidated by any
change, tolerant of corrupt files and unwritable folders, safe for two processes, still sandboxed.

Every build runs in a new process (the in-process caches would hide the disk cache), with its own
``COOPDOCS_CACHE_DIR``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coopdocs.compose import templatecache
from coopdocs.compose.templating import make_env
from tests.support import BEREKE

CHARTER = "charter/kz/consumer_cooperative/charter"
ROOT = Path(__file__).resolve().parent.parent


def build(cache: Path | None, out: Path, *extra: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("COOPDOCS_CACHE_DIR", "COOPDOCS_NO_CACHE")}
    if cache is not None:
        environ["COOPDOCS_CACHE_DIR"] = str(cache)
    environ.update(env)
    command = [sys.executable, "-m", "coopdocs", "build", str(BEREKE), "--out", str(out), "--docs", "charter", *extra]
    return subprocess.run(command, env=environ, cwd=ROOT, capture_output=True, text=True, timeout=300)


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "bereke").glob("*.docx"))}


def cache_files(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((cache / "templates").glob("jinja-*.bin"))}


def firm(folder: Path, text: str) -> Path:
    target = folder / CHARTER
    target.mkdir(parents=True, exist_ok=True)
    quoted = text.replace('"', '\\"')
    (target / "overrides.yaml").write_text(f'clauses:\n  general.status:\n    text:\n      ru: "{quoted}"\n', "utf-8")
    return folder


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The charter built with the cache turned off."""
    out = tmp_path_factory.mktemp("reference")
    done = build(None, out, COOPDOCS_NO_CACHE="1")
    assert done.returncode == 0, done.stderr
    return outputs(out)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory, reference: dict[str, bytes]) -> Path:
    """A cache folder after one cold build of the charter (checked to give the reference bytes)."""
    cache = tmp_path_factory.mktemp("filled") / "cache"
    out = tmp_path_factory.mktemp("cold")
    cold = build(cache, out)
    assert cold.returncode == 0, cold.stderr
    assert outputs(out) == reference
    return cache


def test_a_warm_cache_gives_the_same_bytes_and_compiles_nothing(
    tmp_path: Path, reference: dict[str, bytes], filled: Path
) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(filled, cache)
    written = cache_files(cache)
    assert len(written) == 1  # one file for the package's templates
    warm = build(cache, tmp_path / "warm")
    assert warm.returncode == 0, warm.stderr
    assert outputs(tmp_path / "warm") == reference
    assert cache_files(cache) == written  # every text was found: nothing new to write


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    done = build(tmp_path / "cache", tmp_path / "out", COOPDOCS_NO_CACHE="1")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "cache").exists()


def test_a_changed_override_is_a_new_cache_file_and_its_new_text(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = firm(tmp_path / "firm", "Кооператив — некоммерческая организация (редакция А).")
    assert build(cache, tmp_path / "a", "--templates", str(folder)).returncode == 0
    first = cache_files(cache)
    firm(folder, "Кооператив — некоммерческая организация (редакция Б).")
    done = build(cache, tmp_path / "b", "--templates", str(folder))
    assert done.returncode == 0, done.stderr
    from coopdocs.writers.render import docx_text

    text = "\n".join(docx_text(outputs(tmp_path / "b")["charter.ru.docx"]))
    assert "(редакция Б)" in text and "(редакция А)" not in text
    second = cache_files(cache)
    assert len(second) == 2 and set(first) < set(second)


def test_the_key_changes_with_any_template_file_and_with_the_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "templates"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x.yaml").write_text("one", "utf-8")
    key = templatecache.source_key((root,))
    assert templatecache.source_key((root,)) == key
    (root / "a" / "x.yaml").write_text("two", "utf-8")
    changed = templatecache.source_key((root,))
    assert changed != key
    (root / "a" / "y.yaml").write_text("", "utf-8")
    added = templatecache.source_key((root,))
    assert added != changed
    monkeypatch.setattr("jinja2.__version__", "0.0.0-other")
    templatecache._versions.cache_clear()
    try:
        assert templatecache.source_key((root,)) != added
    finally:
        monkeypatch.undo()
        templatecache._versions.cache_clear()


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage"])
def test_a_corrupt_cache_file_is_ignored_and_rewritten(
    tmp_path: Path, reference: dict[str, bytes], filled: Path, damage: str
) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(filled, cache)
    (name, good), = cache_files(cache).items()
    path = cache / "templates" / name
    if damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "flipped":
        path.write_bytes(good[:-100] + bytes([good[-100] ^ 0xFF]) + good[-99:])
    elif damage == "garbage":
        path.write_bytes(b"COOPJC1\n" + os.urandom(5000))
    else:
        path.write_bytes(b"")
    assert templatecache._read(path) is None
    done = build(cache, tmp_path / "again")
    assert done.returncode == 0, done.stderr
    assert outputs(tmp_path / "again") == reference
    assert templatecache._read(path) is not None  # rewritten whole


def test_an_unusable_cache_folder_is_no_cache_and_no_error(tmp_path: Path, reference: dict[str, bytes]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    done = build(blocker, tmp_path / "out")  # COOPDOCS_CACHE_DIR/templates cannot be created
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert outputs(tmp_path / "out") == reference
    assert blocker.read_text("utf-8") == "not a folder"


def test_two_processes_building_at_once(tmp_path: Path, reference: dict[str, bytes]) -> None:
    cache = tmp_path / "cache"
    environ = {**os.environ, "COOPDOCS_CACHE_DIR": str(cache)}
    environ.pop("COOPDOCS_NO_CACHE", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "coopdocs", "build", str(BEREKE), f"--out={tmp_path / f'o{i}'}", "--docs=charter"],
            env=environ,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    assert outputs(tmp_path / "o0") == outputs(tmp_path / "o1") == reference
    (path,) = (cache / "templates").glob("jinja-*.bin")
    assert templatecache._read(path)
    assert not list((cache / "templates").glob(".tmp-*"))  # no temporary file left behind
    warm = build(cache, tmp_path / "warm")
    assert warm.returncode == 0 and outputs(tmp_path / "warm") == reference


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
        ("{{ 'A'*300000000 }}", "a repeated text or list would hold 300,000,000 characters"),
    ],
)
def test_a_hostile_override_is_refused_on_a_warm_cache(tmp_path: Path, source: str, problem: str) -> None:
    """The sandbox is partly decided when the code is generated (operators routed through
    ``call_binop``, calls through ``call``): code loaded from the cache must keep it."""
    cache = tmp_path / "cache"
    folder = firm(tmp_path / "firm", source)
    cold = build(cache, tmp_path / "cold", "--templates", str(folder))
    assert cold.returncode == 1 and problem in cold.stderr
    entries = {name: templatecache._read(cache / "templates" / name) for name in cache_files(cache)}
    assert any(entries.values())  # the hostile text's code is in the cache now
    warm = build(cache, tmp_path / "warm", "--templates", str(folder))
    assert warm.returncode == 1, warm.stderr
    assert problem in warm.stderr and "internal error" not in warm.stderr
    assert not (tmp_path / "warm" / "bereke").exists()
    assert {n: templatecache._read(cache / "templates" / n) is not None for n in cache_files(cache)} == {
        n: True for n in entries
    }


def test_environments_of_another_configuration_never_share_code() -> None:
    sandboxed = make_env(autoescape=False)
    assert sandboxed.fingerprint() != make_env(autoescape=True).fingerprint()
    from jinja2.sandbox import SandboxedEnvironment

    from coopdocs.compose.templating import Environment

    class Plain(Environment):
        intercepted_binops = frozenset()

    assert Plain().fingerprint() != Environment().fingerprint()
    assert b"'*'" in sandboxed.fingerprint() and SandboxedEnvironment.sandboxed


def test_parsed_pack_data_is_kept_by_exact_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pack's parsed YAML is kept for the next process, keyed by the file's bytes and the parser:
    another byte or another parser misses; a value marshal cannot keep (a date) is not kept."""
    import datetime

    monkeypatch.setenv("COOPDOCS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COOPDOCS_NO_CACHE", raising=False)
    store = templatecache._DataStore()
    monkeypatch.setattr(templatecache, "_DATA", store)
    raw = "a: [1, 2.5, текст]\n".encode()
    assert templatecache.parsed(raw, "libyaml") == (False, None)
    templatecache.remember_parsed(raw, "libyaml", {"a": [1, 2.5, "текст"]})
    templatecache.remember_parsed(b"d: 2024-01-01\n", "libyaml", {"d": datetime.date(2024, 1, 1)})
    templatecache.save()
    fresh = templatecache._DataStore()  # as in the next process
    monkeypatch.setattr(templatecache, "_DATA", fresh)
    assert templatecache.parsed(raw, "libyaml") == (True, {"a": [1, 2.5, "текст"]})
    assert templatecache.parsed(raw + b" ", "libyaml") == (False, None)
    assert templatecache.parsed(raw, "ruamel-pure") == (False, None)
    assert templatecache.parsed(b"d: 2024-01-01\n", "libyaml") == (False, None)
    (path,) = (tmp_path / "cache" / "data").glob("yaml-*.bin")
    path.write_bytes(path.read_bytes()[:-10])  # corrupt: ignored, never an error
    monkeypatch.setattr(templatecache, "_DATA", templatecache._DataStore())
    assert templatecache.parsed(raw, "libyaml") == (False, None)


def test_a_data_cache_past_its_cap_keeps_only_what_a_process_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every parsed version of a pack file is kept; once the file is past DATA_CAP, the next process that
    saves writes only the entries it read or added (the stale ones go), and those still hit."""
    monkeypatch.setenv("COOPDOCS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COOPDOCS_NO_CACHE", raising=False)
    monkeypatch.setattr(templatecache, "_DATA", templatecache._DataStore())
    versions = [f"a: {n}\n".encode() + b"#" * 4000 for n in range(20)]  # an override edited 20 times
    for n, raw in enumerate(versions):
        templatecache.remember_parsed(raw, "libyaml", {"a": n, "pad": f"{n}" * 4000})
    templatecache.save()
    (path,) = (tmp_path / "cache" / "data").glob("yaml-*.bin")
    full = path.stat().st_size
    monkeypatch.setattr(templatecache, "DATA_CAP", full - 1)
    store = templatecache._DataStore()  # the next process: reads only the newest version
    monkeypatch.setattr(templatecache, "_DATA", store)
    assert templatecache.parsed(versions[-1], "libyaml") == (True, {"a": 19, "pad": "19" * 4000})
    templatecache.save()
    assert path.stat().st_size < full / 10
    monkeypatch.setattr(templatecache, "_DATA", templatecache._DataStore())
    assert templatecache.parsed(versions[-1], "libyaml")[0] is True
    assert templatecache.parsed(versions[0], "libyaml") == (False, None)


def test_a_warm_data_cache_builds_the_same_bytes(tmp_path: Path, reference: dict[str, bytes]) -> None:
    cache = tmp_path / "cache"
    assert build(cache, tmp_path / "first").returncode == 0
    assert list((cache / "data").glob("yaml-*.bin"))
    warm = build(cache, tmp_path / "warm")
    assert warm.returncode == 0, warm.stderr
    assert outputs(tmp_path / "warm") == reference
