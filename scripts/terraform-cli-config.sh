#!/usr/bin/env bash
# Locate the Terraform CLI and an offline provider mirror, and write a Terraform
# CLI configuration that installs providers from that mirror only.
#
#   scripts/terraform-cli-config.sh OUT_FILE
#
# The mirror is a folder named `registry.terraform.io` holding hashicorp/aws.
# It is taken from POWERTUNE_TF_PROVIDER_MIRROR when set, else from Terraform's
# documented implied-mirror folders, else from a bounded search of the disk.
# Fails loudly (exit 1) naming what is missing; never skips.
#
# With POWERTUNE_TF_PROVIDERS=registry (CI runners, workstations with network),
# no mirror is searched for: the file written leaves provider installation to
# Terraform's defaults (the public registry), so the script stays out of the way.
set -euo pipefail
out=${1:?usage: terraform-cli-config.sh OUT_FILE}

if ! command -v terraform >/dev/null 2>&1; then
  echo "error: the 'terraform' CLI is not on PATH. Install Terraform >= 1.5 (this machine kind provides it);" >&2
  echo "       on a workstation with network access, a normal 'terraform init' is all you need." >&2
  exit 1
fi

case "${POWERTUNE_TF_PROVIDERS:-mirror}" in
  mirror) ;;
  registry)
    mkdir -p "$(dirname "$out")"
    echo "# POWERTUNE_TF_PROVIDERS=registry: Terraform's default provider installation." > "$out"
    echo "$out"
    exit 0 ;;
  *)
    echo "error: POWERTUNE_TF_PROVIDERS=$POWERTUNE_TF_PROVIDERS is not 'mirror' (the default) or 'registry'" >&2
    exit 1 ;;
esac

has_aws() { [ -d "$1/hashicorp/aws" ]; }

mirror=""
if [ -n "${POWERTUNE_TF_PROVIDER_MIRROR:-}" ]; then
  if has_aws "$POWERTUNE_TF_PROVIDER_MIRROR"; then
    mirror=$POWERTUNE_TF_PROVIDER_MIRROR
  else
    echo "error: POWERTUNE_TF_PROVIDER_MIRROR=$POWERTUNE_TF_PROVIDER_MIRROR has no hashicorp/aws inside" >&2
    exit 1
  fi
fi
if [ -z "$mirror" ]; then
  # Terraform's implied local mirror folders (developer docs, "Implied Local Mirror Directories").
  for base in "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins" \
              /usr/local/share/terraform/plugins /usr/share/terraform/plugins; do
    if has_aws "$base/registry.terraform.io"; then mirror="$base/registry.terraform.io"; break; fi
  done
fi
if [ -z "$mirror" ]; then
  while IFS= read -r cand; do
    if has_aws "$cand"; then mirror=$cand; break; fi
  done < <(find / -maxdepth 5 -type d -name registry.terraform.io \
             -not -path '/proc/*' -not -path '/sys/*' -not -path '*/.terraform/*' 2>/dev/null)
fi
if [ -z "$mirror" ]; then
  echo "error: no Terraform provider mirror found (a folder 'registry.terraform.io' containing hashicorp/aws)." >&2
  echo "       Set POWERTUNE_TF_PROVIDER_MIRROR to it, or run with network access and a normal 'terraform init'." >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
cat > "$out" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$(dirname "$mirror")"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
echo "$out"
