"""Shared helpers for the tests: example paths and patched copies of an example."""

from __future__ import annotations

import copy
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from coopdocs.inputs.model import split_path
from coopdocs.packs.pack import Pack

ROOT = Path(__file__).resolve().parent.parent
# The tests' default pack: the command line's for an input that names none (cli.DEFAULT_PACK_KEY).
# coopdocs itself has no default below the command line; its stages receive their pack.
DEFAULT_PACK = Pack("kz", "consumer_cooperative")
EXAMPLES = ROOT / "examples"
BEREKE = EXAMPLES / "bereke.yaml"


def read_example(path: Path = BEREKE) -> dict[str, Any]:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = split_path(dotted)
    target: Any = data
    for part in parts[:-1]:
        target = target[part]
    if value is DELETE:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value


DELETE = object()


def write_patched(tmp_path: Path, patch: dict[str, Any], base: Path = BEREKE, name: str = "coop.yaml") -> Path:
    data = copy.deepcopy(read_example(base))
    for dotted, value in patch.items():
        set_path(data, dotted, value)
    out = tmp_path / name
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    with out.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_serve(port: int, timeout: float = 30) -> subprocess.Popen[bytes]:
    """`coopdocs serve` on ``port`` in its own session, returned once it listens. If it exits or does
    not listen within ``timeout`` it is killed and the test fails with what it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "coopdocs", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
            raise AssertionError(f"the server did not start: {proc.communicate()[1].decode()}")
        time.sleep(0.1)


def first_page_picture(pdf: Path, out: Path, dpi: int, gray: bool = False) -> Path:
    """Page 1 of ``pdf`` as a PNG (pdftoppm), a picture with no text layer: a scanned page."""
    options = ["-gray"] if gray else []
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), *options, "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf), str(out)],
        check=True,
    )
    return out.with_suffix(".png")
