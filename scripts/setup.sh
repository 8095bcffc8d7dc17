#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine: system fonts/libraries WeasyPrint needs for Chinese,
# then a local virtual environment with reportbuild and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# fonts-noto-cjk: the brand's CJK fonts; fonts-crosextra-carlito (metric-compatible with Calibri) and
# fonts-dejavu-core: the Latin brand of English reports. libharfbuzz-subset0: fast font subsetting in WeasyPrint
# (without it a 48-page Chinese PDF took 18 s instead of 3 s). fontconfig: fc-match finds fonts.
# poppler-utils: pdftotext/pdftoppm for tests and for looking at pages.
PKGS=(fonts-noto-cjk fonts-crosextra-carlito fonts-dejavu-core libharfbuzz-subset0 fontconfig poppler-utils)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || command -v sudo >/dev/null; }; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    echo "setup: installing ${missing[*]}" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these packages, then run again: ${missing[*]}" >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]"
# bytecode for the tool's own modules, as pip writes it for the installed packages: each build
# process (and each the tests start) loads them instead of compiling them (0.25 CPU-s a process),
# also where PYTHONDONTWRITEBYTECODE keeps Python from writing it as it goes
.venv/bin/python -m compileall -q src
# matplotlib's list of this machine's fonts, for the tests (conftest.py): each run starts with a
# cache folder of its own, where each test worker built it again
MPLCONFIGDIR=.venv/matplotlib .venv/bin/python -c "import matplotlib.font_manager"
# and the tests as pytest rewrites their asserts (its own cached files): each test worker read
# them instead of rewriting every test module (1 CPU-s a worker) where Python may not write them
env -u PYTHONDONTWRITEBYTECODE .venv/bin/python -m pytest -q --collect-only -p no:cacheprovider \
  -n 0 >/dev/null || echo "setup: the tests do not collect (pytest says why when they run)" >&2
echo "setup: ok" >&2
