#!/usr/bin/env bash
# Set up everything coopdocs needs, idempotently: system packages (when run as root and missing),
# a virtual environment in .venv/, and coopdocs with its development tools installed into it.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
# LibreOffice is the optional PDF engine (--pdf-engine libreoffice, DOCX layout overrides, `amend`
# PDFs); PDF is typeset by Typst by default. COOPDOCS_WITHOUT_LIBREOFFICE=1 leaves it out (its tests skip).
with_lo=1
[ "${COOPDOCS_WITHOUT_LIBREOFFICE:-0}" = 1 ] && with_lo=0
[ $with_lo = 0 ] || command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# Chromium drives the browser tests of `coopdocs serve` (Playwright uses this one; it downloads none).
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ $with_lo = 0 ] || { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import uno" >/dev/null 2>&1; } || missing+=(python3-uno)
if [ $with_lo = 1 ] && { ! command -v fc-list >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep "Liberation Serif" >/dev/null; }; then
  missing+=(fonts-liberation2 fontconfig)
fi
# Tesseract with Russian and Kazakh data reads scanned charters for `coopdocs audit` (optional: without it
# audit reads text layers and says what it cannot read; COOPDOCS_WITHOUT_OCR=1 leaves it out, its tests skip).
if [ "${COOPDOCS_WITHOUT_OCR:-0}" != 1 ]; then
  command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr)
  for lang in rus kaz; do
    [ -f "/usr/share/tesseract-ocr/5/tessdata/$lang.traineddata" ] || [ -f "/usr/share/tesseract-ocr/4.00/tessdata/$lang.traineddata" ] \
      || missing+=("tesseract-ocr-$lang")
  done
fi
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: warning: missing system packages: ${missing[*]} (install them, or run as root)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.coopdocs-installed
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c "import coopdocs" >/dev/null 2>&1; then
  echo "bootstrap: installing coopdocs into .venv" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
  echo "$want" > "$stamp"
fi
# An editable install leaves coopdocs's own modules uncompiled, and where PYTHONDONTWRITEBYTECODE is
# set (as on this machine) every command compiled them again: ~0.1 s of a 0.3 s `validate`.
# compileall writes the bytecode caches regardless and only recompiles what changed.
.venv/bin/python -m compileall -q coopdocs
