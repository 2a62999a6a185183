#!/bin/sh
# test-deps.sh - what the browser test of report.html needs: Debian's
# chromium, node/npm, and playwright-core from package-lock.json (npm ci).
# As root, installs what is missing; otherwise says what is missing and
# exits 0: tests/test_report.sh then prints "skipped: <reason>".
cd "$(dirname "$0")/.." || exit 1
need_apt=""
[ -x /usr/bin/chromium ] || need_apt="$need_apt chromium"
command -v node >/dev/null 2>&1 || need_apt="$need_apt nodejs"
command -v npm >/dev/null 2>&1 || need_apt="$need_apt npm"
# xmllint checks that every chart's SVG is well-formed XML.
command -v xmllint >/dev/null 2>&1 || need_apt="$need_apt libxml2-utils"
# A CJK font, so that the screenshots show the Chinese labels.
fc-list :lang=zh 2>/dev/null | grep -q . || need_apt="$need_apt fonts-wqy-zenhei"
if [ -n "$need_apt" ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need_apt \
            || echo "test-deps: could not install$need_apt; the browser test will be skipped"
    else
        echo "test-deps: missing$need_apt; run as root: apt-get install$need_apt"
    fi
fi
if [ ! -d node_modules/playwright-core ] && command -v npm >/dev/null 2>&1; then
    npm ci --no-audit --no-fund --loglevel=error >&2 || echo "test-deps: npm ci failed; the browser test will be skipped"
fi
exit 0
