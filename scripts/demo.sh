#!/usr/bin/env bash
# Quick start, step 1: set up, then validate the example cooperative and build its documents.
# Needs no root and no system package beyond python3 with venv: the PDF is typeset by Typst, in-process.
# (LibreOffice, the optional second PDF engine, is not needed here: see scripts/bootstrap.sh --help.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/coopdocs validate examples/bereke.yaml
.venv/bin/coopdocs build examples/bereke.yaml --out out --format docx,pdf,html
echo "The documents are in out/bereke/ (see coopdocs-manifest.json there)."
