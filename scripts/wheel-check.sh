#!/usr/bin/env bash
# The package as users install it: build the wheel, install it with its dependencies into a fresh
# virtual environment, and from outside the source tree build a `reportbuild new` project and this
# report with the installed command. Catches package data missing from the wheel (templates, CSS,
# locales, skeleton), which an editable install never notices. Run by .ci/run after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PYTHON=${PYTHON:-python3}
rm -rf build  # setuptools copies into build/lib and would keep files deleted since
"$PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps -w "$work/dist" . >/dev/null
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$work"/dist/reportbuild-*.whl 2>&1 \
  | grep -v "^WARNING: Location" || true
rb="$work/venv/bin/reportbuild"
# the installed package, not this checkout
(cd "$work" && "$work/venv/bin/python" -c \
  'import reportbuild, sys; p = reportbuild.__file__; sys.exit("wheel-check: imported " + p + " from the checkout" if "site-packages" not in p else 0)')
"$rb" new "$work/fresh" >/dev/null
(cd "$work" && "$rb" build -C fresh -q)
mkdir "$work/report"
cp -r sources figures styles "$work/report/"
(cd "$work" && "$rb" build -C report -q)
for f in fresh/output/report.pdf fresh/output/summary.pptx fresh/output/report.html \
         report/output/report.pdf report/output/summary.pptx report/output/report.html; do
  [ -s "$work/$f" ] || { echo "wheel-check: $f was not built" >&2; exit 1; }
done
echo "wheel-check: the installed wheel builds a new project and this report"
