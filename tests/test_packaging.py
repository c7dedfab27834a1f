"""The wheel carries the pack data (schemas, templates, examples), so an installed coopdocs works
outside the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.support import ROOT


def test_wheel_ships_the_pack_data(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("coopdocs-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "coopdocs/schemas/kz/consumer_cooperative/input.yaml",
        "coopdocs/schemas/kz/consumer_cooperative/rules.yaml",
        "coopdocs/schemas/kz/consumer_cooperative/citations.yaml",
        "coopdocs/schemas/messages.yaml",
        "coopdocs/schemas/help.yaml",  # --help in Russian and Kazakh
        "coopdocs/templates/layouts/document.docx",
        "coopdocs/templates/charter/kz/consumer_cooperative/charter/document.yaml",
        "coopdocs/templates/regulations/kz/consumer_cooperative/minutes/document.yaml",
        "coopdocs/templates/common/kz/consumer_cooperative/terms.yaml",
        "coopdocs/examples/bereke.yaml",
        "coopdocs/writers/unoworker.py",
        "coopdocs/templates/layouts/document.typ",  # the Typst PDF layout
        *(f"coopdocs/writers/fonts/LiberationSerif-{face}.ttf" for face in ("Regular", "Bold", "Italic", "BoldItalic")),
        "coopdocs/writers/fonts/LICENSE-Liberation.txt",
    ):
        assert required in names, required
    assert any(n.endswith("entry_points.txt") for n in names)
