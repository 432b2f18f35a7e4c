#!/bin/sh
# Installs the Debian 12 packages pf needs to build and test, only when some are missing.
set -e
PKGS="build-essential cmake pkg-config python3 llvm-19-dev libffi-dev libedit-dev clang-19 libclang-rt-19-dev"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "setup: installing$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
