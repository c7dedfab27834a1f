"""A build's outputs: sanitized folder names, ``Output`` and ``coopdocs-manifest.json``.

Writing them into ``OUT/<slug>/`` is ``outfolder.write_folder``."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


def path_key(path: str | Path) -> str:
    """The SHA-256 of an input file's resolved path: ``input.path_sha256`` in the manifest, and
    the source of ``batch``'s folder-name suffixes (the first 8 hex digits)."""
    return hashlib.sha256(str(Path(path).resolve()).encode("utf-8")).hexdigest()


def cooperative_info(data: Mapping[str, Any]) -> dict[str, Any]:
    """``cooperative`` in the manifest: the name (as in the input) and the BIN if the input has one
    (the input contract has none before registration); a folder holding another cooperative is not
    overwritten without ``--force``."""
    coop = data.get("cooperative") or {}
    return {"name": coop.get("name"), **({"bin": str(coop["bin"])} if coop.get("bin") else {})}
