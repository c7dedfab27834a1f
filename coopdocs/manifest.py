"""Writing a build's outputs: sanitized names, atomic replacement, and ``coopdocs-manifest.json``."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopdocs.errors import OutputError

MANIFEST = "coopdocs-manifest.json"

# Cyrillic (Russian and Kazakh letters) to Latin for folder names; a table this small is clearer
# than another dependency.
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "iu",
            "ia",
            "a",
            "g",
            "q",
            "n",
            "o",
            "u",
            "u",
            "h",
            "i",
        ],
        strict=True,
    )
)


def slug(text: str) -> str:
    """A safe folder name: lower-case Latin letters, digits and dashes; never empty, never '..'."""
    lowered = "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())
    ascii_text = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return cleaned[:60].strip("-") or "cooperative"


@dataclass(frozen=True)
class Output:
    name: str  # file name inside the cooperative's folder, e.g. charter.ru.docx
    data: bytes
    document: str
    language: str
    format: str
    title: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def manifest(outputs: Sequence[Output], info: Mapping[str, Any]) -> bytes:
    payload = {
        **info,
        "outputs": [
            {
                "file": o.name,
                "document": o.document,
                "language": o.language,
                "format": o.format,
                "sha256": o.sha256,
            }
            for o in outputs
        ],
    }
    return (json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_folder(target: Path, outputs: Sequence[Output], info: Mapping[str, Any]) -> Path:
    """Replace ``target`` with a folder holding exactly ``outputs`` and the manifest.

    Everything is written into a staging folder beside the target first; the target is swapped in
    only when every file is complete, so a failure leaves the previous state (or nothing)."""
    for o in outputs:
        if Path(o.name).name != o.name or o.name.startswith("."):
            raise OutputError(f"refusing to write an output named {o.name!r}")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
        staging.chmod(0o755)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {parent}: {exc.strerror or exc}") from exc
    try:
        for o in outputs:
            (staging / o.name).write_bytes(o.data)
        (staging / MANIFEST).write_bytes(manifest(outputs, info))
        for path in staging.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            old.rmdir()
            target.rename(old)
        staging.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
