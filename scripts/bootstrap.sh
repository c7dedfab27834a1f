#!/usr/bin/env bash
# Set up coopdocs, idempotently: a virtual environment in .venv/ with coopdocs (editable) and its
# development tools, and, when run as root, the system packages asked for.
#
#   scripts/bootstrap.sh                      the default path: DOCX, PDF (Typst), HTML, Markdown.
#                                             Needs only python3 with venv; no root, no system package.
#   scripts/bootstrap.sh --with-libreoffice   also the optional LibreOffice PDF engine (--pdf-engine
#                                             libreoffice, DOCX layout overrides, `amend` PDFs);
#                                             or COOPDOCS_WITH_LIBREOFFICE=1.
#   scripts/bootstrap.sh --with-ocr           also Tesseract with Russian and Kazakh and poppler-utils,
#                                             which read scanned charters for `coopdocs audit`;
#                                             or COOPDOCS_WITH_OCR=1.
#   scripts/bootstrap.sh --for-tests          also what the test suite uses: poppler-utils (pdftotext),
#                                             Chromium (browser tests) and Tesseract. scripts/test.sh
#                                             passes it and --with-libreoffice: CI covers both PDF engines.
#   scripts/bootstrap.sh --dry-run ...        only print the system packages it would install.
# COOPDOCS_WITHOUT_LIBREOFFICE=1 / COOPDOCS_WITHOUT_OCR=1 leave LibreOffice / Tesseract out even when
# asked (their tests then skip). System packages are installed with apt-get only as root; otherwise a
# missing optional package is a warning (its tests skip with the reason), never a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

with_lo=0
with_ocr=0
for_tests=0
dry_run=0
[ "${COOPDOCS_WITH_LIBREOFFICE:-0}" = 1 ] && with_lo=1
[ "${COOPDOCS_WITH_OCR:-0}" = 1 ] && with_ocr=1
for arg in "$@"; do
  case "$arg" in
    --with-libreoffice) with_lo=1 ;;
    --with-ocr) with_ocr=1 ;;
    --for-tests) for_tests=1; with_ocr=1 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bootstrap: unknown option $arg (see scripts/bootstrap.sh --help)" >&2; exit 2 ;;
  esac
done
[ "${COOPDOCS_WITHOUT_LIBREOFFICE:-0}" = 1 ] && with_lo=0
[ "${COOPDOCS_WITHOUT_OCR:-0}" = 1 ] && with_ocr=0

required=()   # without these there is no .venv: bootstrap stops
optional=()   # without these some engine or test is missing: a warning
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || required+=(python3-venv)
if [ $with_lo = 1 ]; then
  command -v soffice >/dev/null 2>&1 || optional+=(libreoffice-writer-nogui)
  { [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import uno" >/dev/null 2>&1; } || optional+=(python3-uno)
  if ! command -v fc-list >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep "Liberation Serif" >/dev/null; then
    optional+=(fonts-liberation2 fontconfig)
  fi
fi
if [ $with_ocr = 1 ]; then
  # Without Tesseract, audit reads text layers and says what it cannot read.
  command -v tesseract >/dev/null 2>&1 || optional+=(tesseract-ocr)
  for lang in rus kaz; do
    [ -f "/usr/share/tesseract-ocr/5/tessdata/$lang.traineddata" ] || [ -f "/usr/share/tesseract-ocr/4.00/tessdata/$lang.traineddata" ] \
      || optional+=("tesseract-ocr-$lang")
  done
fi
if [ $for_tests = 1 ] || [ $with_ocr = 1 ]; then
  # pdftotext reads the PDFs in the tests; pdftoppm gives OCR a scanned PDF's pages.
  command -v pdftotext >/dev/null 2>&1 || optional+=(poppler-utils)
fi
if [ $for_tests = 1 ]; then
  # Chromium drives the browser tests of `coopdocs serve` (Playwright uses this one; it downloads none).
  [ -x /usr/bin/chromium ] || optional+=(chromium)
fi
missing=("${required[@]}" "${optional[@]}")
if [ $dry_run = 1 ]; then
  echo "system packages missing: ${missing[*]:-none}"
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ ${#required[@]} -gt 0 ]; then
    echo "bootstrap: error: python3 cannot make a virtual environment; install ${required[*]}" \
      "(as root: apt-get install ${missing[*]})" >&2
    exit 1
  else
    echo "bootstrap: warning: optional system packages missing: ${optional[*]}" \
      "(as root: apt-get install ${optional[*]}); the default path (DOCX, PDF by Typst, HTML) does not need them" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.coopdocs-installed
want=$(sha256sum < pyproject.toml | cut -d' ' -f1)
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
