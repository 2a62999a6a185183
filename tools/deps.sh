#!/bin/sh
# Installs patrolsim's Debian build dependencies when any is missing.
# Usage: tools/deps.sh PKG...   (the package list comes from the Makefile)
# As root it runs apt-get; otherwise it prints the exact command and fails.
missing=""
have_header() { [ -f "/usr/include/$1" ]; }
have_header gsl/gsl_rng.h || missing=1
have_header csv.h        || missing=1
have_header ini.h        || missing=1
have_header jansson.h    || missing=1
have_header nettle/sha2.h || missing=1
have_header sqlite3.h    || missing=1
command -v pkg-config >/dev/null 2>&1 || missing=1
command -v cc >/dev/null 2>&1 || missing=1
command -v gnuplot >/dev/null 2>&1 || missing=1
[ -f /usr/share/zoneinfo/America/Los_Angeles ] || missing=1   # tzdata: [replay] time_zone
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends $*"
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing missing packages: $*" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || exit 1
    apt-get install -y -qq --no-install-recommends "$@" >&2 || exit 1
else
    echo "deps: missing build dependencies; run as root:" >&2
    echo "  apt-get update && $cmd" >&2
    exit 1
fi
