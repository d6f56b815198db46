#!/usr/bin/env bash
# Run the items API collection with Newman against a deployed stage and write
# the reports into an output folder (default reports/history):
#   newman-<ts>.json (Newman's JSON reporter), newman-<ts>.xml (JUnit), and, rendered
#   from that JSON by powertune.reports.newman, newman-<ts>.md (summary) and
#   newman-<ts>.html (self-contained: no CDN, opens offline from a CI artifact; the
#   htmlextra reporter it replaces loaded Bootstrap & co. from CDNs and weighed ~1.8 MB).
#
#   scripts/newman-run.sh BASE_URL [OUT_DIR]
#   BASE_URL: the stage URL, e.g. the `invoke_url` printed by `powertune local deploy`.
#   NEWMAN_ENVIRONMENT=aws picks postman/aws.postman_environment.json (default: local).
# Exit code: Newman's (0 when every assertion passed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
here=$root/postman
base_url=${1:?usage: scripts/newman-run.sh BASE_URL [OUT_DIR]}
out=${2:-reports/history}
env_name=${NEWMAN_ENVIRONMENT:-local}
ts=$(date -u +%Y%m%dT%H%M%SZ)
python=${PYTHON:-}
if [ -z "$python" ]; then
  if [ -x "$root/.venv/bin/python" ]; then python="$root/.venv/bin/python"; else python=python3; fi
fi

"$root/scripts/node-deps.sh"
mkdir -p "$out"
set +e
"$here/node_modules/.bin/newman" run "$here/items-api.postman_collection.json" \
  --environment "$here/$env_name.postman_environment.json" \
  --env-var "baseUrl=${base_url%/}" \
  --reporters cli,json,junit \
  --reporter-json-export "$out/newman-$ts.json" \
  --reporter-junit-export "$out/newman-$ts.xml" \
  --timeout-request 30000 \
  --color off
rc=$?
set -e
if [ -f "$out/newman-$ts.json" ]; then
  "$python" -m powertune.reports.newman "$out/newman-$ts.json" > "$out/newman-$ts.md"
  "$python" -m powertune.reports.newman --html "$out/newman-$ts.json" > "$out/newman-$ts.html"
  echo "reports: $out/newman-$ts.{html,xml,json,md}" >&2
fi
exit $rc
