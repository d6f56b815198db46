#!/usr/bin/env bash
# The main job, on the local cloud (called by `make demo`):
#   1. start a local cloud (Lambda with memory-proportional CPU, moto control planes)
#   2. deploy the reference items API with its Terraform
#   3. seed items and run the Postman/Newman smoke tests against the deployed API
#   4. tune the export route's function with `powertune tune --local`
#   5. decide in auto mode: apply the recommended size and write it back to
#      infra/terraform/memory.auto.tfvars.json (`git diff` shows the change)
#   6. check that `powertune local plan` of the checkout's Terraform shows no drift
#   7. tear everything down, whatever happened
# Reports land in reports/history/; reports/index.html lists them all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
MODE=${POWERTUNE_DEMO_MODE:-auto}  # make demo MODE=manual
case "$MODE" in auto|manual) ;; *) echo "error: MODE=$MODE; use MODE=auto or MODE=manual" >&2; exit 2 ;; esac
STATE=${POWERTUNE_DEMO_STATE:-build/demo-local}
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1  # local cloud only
mkdir -p reports/history

cleanup() {
  echo "== tearing down"
  # Stopping the local cloud removes everything it held (no `terraform destroy` needed);
  # its state folder goes too, so the next demo starts clean.
  $BIN/powertune local down --state-dir "$STATE" >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT

echo "== starting the local cloud"
$BIN/powertune local up --port 0 --detach --state-dir "$STATE" >/dev/null
$BIN/powertune local status --json --state-dir "$STATE" | $BIN/python -c '
import json, sys
s = json.load(sys.stdin)
print("   %s  cpu_control=%s  python %s" % (s["endpoint_url"], s["cpu_control"], s["python_version"]))'

echo "== deploying the items API (Terraform) at 1024 MB, so that there is something to change"
outputs=$($BIN/powertune local deploy --state-dir "$STATE" --var memory_size=1024)
function_name=$(echo "$outputs" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["function_name"])')
invoke_url=$(echo "$outputs" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["invoke_url"])')
table_name=$(echo "$outputs" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["table_name"])')
endpoint_url=$($BIN/powertune local status --json --state-dir "$STATE" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["endpoint_url"])')
echo "   function $function_name at $invoke_url"

echo "== seeding 500 items"
$BIN/python scripts/seed_items.py "$endpoint_url" "$table_name" 500

echo "== Newman smoke tests"
scripts/newman-run.sh "$invoke_url" reports/history

echo "== tuning $function_name on GET /items/export"
$BIN/powertune tune "$function_name" --local --local-state-dir "$STATE" \
  --payload-http 'GET /items/export' --http-resource /items/export \
  --memory 128,256,512,1024,1769,3008 --invocations 10 --seed 1 \
  --output reports/history
result=$(ls -t reports/history/tuning-*.json | head -1)

if [ "$MODE" = manual ]; then
  # The local cloud's GitHub stand-in takes the approval issue; the token is a placeholder
  # it accepts (any non-empty Bearer token), not a secret.
  GITHUB_API_URL=$($BIN/powertune local status --json --state-dir "$STATE" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["github_api_url"])')
  export GITHUB_API_URL GITHUB_TOKEN=local-demo-token GITHUB_REPOSITORY=powertune/demo GITHUB_ACTOR=demo-runner
  echo "== deciding (manual mode): approval issue on the GitHub stand-in; alice approves in a few seconds"
  (
    sleep 3
    for _ in $(seq 60); do
      if $BIN/powertune local github comment latest --as alice --repo "$GITHUB_REPOSITORY" \
          --state-dir "$STATE" "Approved: the numbers look right" >/dev/null 2>&1; then
        echo "   alice commented: Approved: the numbers look right"; exit 0
      fi
      sleep 1
    done
  ) &
  reviewer=$!
  decision=$($BIN/powertune decide "$result" --mode manual --approvers alice --poll-interval 1s \
    --approval-timeout 2m --local --local-state-dir "$STATE" \
    --terraform-dir infra/terraform --output reports/history)
  wait "$reviewer" || true
else
  echo "== deciding (auto mode): apply and write back to infra/terraform"
  decision=$($BIN/powertune decide "$result" --mode auto --local --local-state-dir "$STATE" \
    --terraform-dir infra/terraform --output reports/history)
fi

echo "== drift check: powertune local plan (no --var override)"
$BIN/powertune local plan --state-dir "$STATE"

echo "$decision" | $BIN/python -c '
import json, sys
d = json.load(sys.stdin)
b, a = d["before"] or {}, d["after"] or {}
per_m = ""
if b.get("cost_per_million_usd") and a.get("cost_per_million_usd"):
    per_m = "%+.4f USD per million invocations" % (b["cost_per_million_usd"] - a["cost_per_million_usd"])
print("== summary")
print("   %s: %d MB -> %d MB (%s) %s" % (d["function_name"], d["current_memory_mb"],
      d["recommended_memory_mb"], d["outcome"], ("saving " + per_m) if per_m else ""))
print("   why: %s" % d["reasons"][-1])
print("   decided: %s" % d["decided_by"])
print("   result:   %s" % d["result_file"])
print("   apply:    %s" % (d["apply_file"] or "(no apply)"))
if d["terraform"]:
    print("   terraform: %s = %d in %s" % (d["terraform"]["variable"], d["terraform"]["value"], d["terraform"]["path"]))'
ls -t reports/history/decision-*.json reports/history/memory-summary-*.md | head -2 | sed 's/^/   /'
git --no-pager diff --stat -- infra/terraform/memory.auto.tfvars.json 2>/dev/null || true

old=$(echo "$decision" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["current_memory_mb"])')
new=$(echo "$decision" | $BIN/python -c 'import json,sys; print(json.load(sys.stdin)["recommended_memory_mb"])')
if [ "$old" != "$new" ]; then
  echo "== load test: $old MB vs $new MB, 15 s each (export route, then the mixed scenario)"
  $BIN/powertune loadtest --local --local-state-dir "$STATE" --memory "$old,$new" --scenario export \
    --users 5 --spawn-rate 5 --duration 15s --logs-wait 5s --output reports/export >/dev/null
  $BIN/powertune loadtest --local --local-state-dir "$STATE" --memory "$old,$new" \
    --users 5 --spawn-rate 5 --duration 15s --logs-wait 5s --output reports >/dev/null
  ls reports/*MB.pdf reports/export/*MB.pdf | sed 's/^/   /'
fi
$BIN/powertune report --index reports/history >/dev/null
echo "== done: reports (tune writes power-tuner-<ts>.html/.png/.md beside its JSON)"
for kind in power-tuner-*.html power-tuner-*.png power-tuner-*.md newman-*.html newman-*.md; do
  latest=$(ls -1 reports/history/$kind 2>/dev/null | tail -n 1)
  if [ -n "$latest" ]; then echo "   $latest"; fi
done
echo "   reports/index.html (every run in reports/history)"
