#!/usr/bin/env bash
# Quick start, step 1: set up, then validate the example cooperative and build its documents.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/coopdocs validate examples/bereke.yaml
.venv/bin/coopdocs build examples/bereke.yaml --out out --format docx,pdf
echo "The documents are in out/bereke/ (see coopdocs-manifest.json there)."
