#!/usr/bin/env bash
# Tools the tests use besides Go and MariaDB: xmllint validates i.SAF files against the XSD, and
# Debian's chromium runs the accountants' UI test headless.
# Installed with apt-get when missing and we are root; otherwise a clear message.
set -euo pipefail

# need CMD PACKAGES...: install the Debian packages when CMD is missing (apt-get update only if needed).
need() {
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "$cmd is missing: sudo apt-get install $*" >&2
    exit 1
  fi
  echo "Installing $* ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }
}

if [ "${1:-}" = dist ]; then
  # make dist: wixl builds the Windows installer, msitools' msiinfo checks it.
  need wixl wixl msitools
  need msiinfo msitools
  exit 0
fi
need xmllint libxml2-utils
need chromium chromium
