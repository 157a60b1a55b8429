#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use: Redis and PostgreSQL servers for
# integration tests, Chromium for browser tests, faketime for CI's run of the unit tests with the
# clock moved ahead, zbar-tools (zbarimg) for the test that printed QR codes read with a second decoder. Needs root (or sudo) and apt-get.
# With --optional (used by `npm run up`), a machine where they cannot be installed only gets a
# warning: the demo itself runs on embedded defaults; `npm test` needs them.
set -euo pipefail
optional=false
[ "${1:-}" = "--optional" ] && optional=true
fail() {
  echo "$1" >&2
  if $optional; then echo "continuing: the demo runs without them; npm test needs them" >&2; exit 0; fi
  exit 1
}
pkgs=(redis-server postgresql chromium faketime zbar-tools)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "system packages: all present (${pkgs[*]})"
  exit 0
fi
command -v apt-get >/dev/null || fail "system packages missing (${missing[*]}) and apt-get not found: install them with your package manager"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || fail "system packages missing (${missing[*]}): run as root or install sudo"
  SUDO="sudo"
fi
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq || fail "apt-get update failed"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || fail "apt-get install ${missing[*]} failed"
