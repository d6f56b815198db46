#!/usr/bin/env bash
# Install Newman (pinned in postman/package.json + package-lock.json) into
# postman/node_modules with `npm ci`, only when the lock file changed since the
# last install. Fails loudly when Node.js/npm are missing; never skips.
set -euo pipefail
cd "$(dirname "$0")/../postman"

if ! command -v npm >/dev/null 2>&1; then
  echo "error: 'npm' is not on PATH; Node.js >= 16 with npm is needed to run the Postman tests (Newman)." >&2
  exit 1
fi

stamp=node_modules/.powertune-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x node_modules/.bin/newman ]; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
