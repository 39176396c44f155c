#!/usr/bin/env bash
# Installs the external programs the end-to-end tests drive, from Debian's archive: chromium (the
# HTML report in a real headless browser, through playwright-core) and awscli (the reference for
# the snapshot files' shapes). Run as root (CI does, before `npm test`); tests that need a tool
# skip visibly without it, and fail under ENA_GUARD_REQUIRE_TOOLS=1.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Debian's awscli (v2) at /usr/bin/aws; a v1 elsewhere on PATH is not the reference.
[ -x /usr/bin/aws ] || missing+=(awscli)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-tools: need root to apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
