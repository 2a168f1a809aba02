#!/usr/bin/env bash
# Installs the Debian packages RACE Planner needs when they are missing: Chromium (browser tests,
# chart images for the PDF), pango and harfbuzz (WeasyPrint), PostgreSQL (tests), poppler (PDF checks),
# Redis (make test-scale).
# As root it installs them; otherwise it prints the command to run.
set -euo pipefail

PACKAGES=(chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 postgresql poppler-utils redis-server)

command -v dpkg >/dev/null || { echo "Not a Debian system: install ${PACKAGES[*]} by hand."; exit 0; }

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages: ${missing[*]}"
  echo "Install them with: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
