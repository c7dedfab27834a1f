#!/usr/bin/env bash
# Quick start, step 2: set up, then run the linters, the type checker and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --for-tests --with-libreoffice
.venv/bin/ruff check coopdocs tests scripts bench
.venv/bin/mypy coopdocs
.venv/bin/python -m pytest "$@"
