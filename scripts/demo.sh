#!/usr/bin/env bash
# The main job, on the local cloud (called by `make demo`):
#   1. start a local cloud (Lambda with memory-proportional CPU, moto control planes)
#   2. deploy the reference items API with its Terraform
#   3. seed items and run the Postman/Newman smoke tests against the deployed API
#   4. tune the export route's function with `powertune tune --local`
#   5. tear everything down, whatever happened
# Reports land in reports/history/; reports/index.html lists them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
STATE=${POWERTUNE_DEMO_STATE:-build/demo-local}
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1  # local cloud only
mkdir -p reports/history

cleanup() {
  echo "== tearing down"
  $BIN/powertune local destroy --state-dir "$STATE" >/dev/null 2>&1 || true
  $BIN/powertune local down --state-dir "$STATE" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== starting the local cloud"
$BIN/powertune local up --port 0 --detach --state-dir "$STATE" >/dev/null
$BIN/powertune local status --json --state-dir "$STATE" | $BIN/python -c '
import json, sys
s = json.load(sys.stdin)
print("   %s  cpu_control=%s  python %s" % (s["endpoint_url"], s["cpu_control"], s["python_version"]))'

echo "== deploying the items API (Terraform)"
outputs=$($BIN/powertune local deploy --state-dir "$STATE")
function_name=$(echo "$outputs" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["function_name"])')
invoke_url=$(echo "$outputs" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["invoke_url"])')
table_name=$(echo "$outputs" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["table_name"])')
endpoint_url=$($BIN/powertune local status --json --state-dir "$STATE" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["endpoint_url"])')
echo "   function $function_name at $invoke_url"

echo "== seeding 1,000 items"
$BIN/python scripts/seed_items.py "$endpoint_url" "$table_name" 1000

echo "== Newman smoke tests"
scripts/newman-run.sh "$invoke_url" reports/history

echo "== tuning $function_name on GET /items/export"
$BIN/powertune tune "$function_name" --local --local-state-dir "$STATE" \
  --payload-http 'GET /items/export' --http-resource /items/export \
  --memory 128,256,512,1024,1769,3008 --invocations 10 --seed 1 \
  --output reports/history
$BIN/powertune report --index reports/history >/dev/null
echo "== done: reports (tune writes power-tuner-<ts>.html/.png/.md beside its JSON)"
for kind in power-tuner-*.html power-tuner-*.png power-tuner-*.md newman-*.html newman-*.md; do
  latest=$(ls -1 reports/history/$kind 2>/dev/null | tail -n 1)
  if [ -n "$latest" ]; then echo "   $latest"; fi
done
echo "   reports/index.html (every run in reports/history)"
