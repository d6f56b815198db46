# Remote state: S3 with S3-native locking (Terraform >= 1.10, `use_lockfile`).
# This is a partial configuration; the bucket, key and region come from a
# backend config file at init time, so no account-specific value is committed:
#
#   cp backend.s3.hcl.example backend.s3.hcl   # edit, keep it out of git
#   terraform init -backend-config=backend.s3.hcl
#
# Local runs (`powertune local deploy`, the tests) copy this folder and add a
# generated backend_override.tf that switches to local state.
terraform {
  backend "s3" {}
}
