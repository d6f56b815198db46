variable "aws_region" {
  description = "Region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "name_prefix" {
  description = "Prefix of every resource name (lower case, digits and hyphens)."
  type        = string
  default     = "powertune-items"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name_prefix))
    error_message = "name_prefix must be 3-31 characters of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "memory_size" {
  description = "Lambda memory in MB. Written by the tuner to memory.auto.tfvars.json so an apply keeps the tuned value."
  type        = number

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240 (Lambda's range)."
  }
}

variable "lambda_timeout_seconds" {
  description = "Function timeout; below API Gateway's 29 s integration timeout so errors surface as the function's own."
  type        = number
  default     = 15
}

variable "lambda_zip_path" {
  description = "Path of the packaged app (powertune.reference.packaging.package_app writes it)."
  type        = string
  default     = "../../build/lambda/items-api.zip"
}

variable "log_retention_days" {
  description = "Retention of the function's and the API's log groups."
  type        = number
  default     = 30
}

variable "stage_name" {
  description = "API Gateway stage name."
  type        = string
  default     = "v1"
}

variable "throttle_rate_limit" {
  description = "Steady-state requests per second allowed on the stage."
  type        = number
  default     = 100
}

variable "throttle_burst_limit" {
  description = "Burst requests allowed on the stage."
  type        = number
  default     = 200
}

variable "manage_apigateway_account" {
  description = "Set the account-wide API Gateway CloudWatch role (needed once per region for access/execution logs). Disable if another stack owns it."
  type        = bool
  default     = true
}

variable "github_owner" {
  description = "GitHub organisation or user that owns the repository trusted by the deploy and tuning roles."
  type        = string
  default     = "example-org"

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9-]*$", var.github_owner))
    error_message = "github_owner must be a literal GitHub owner name; wildcards are not allowed."
  }
}

variable "github_repository" {
  description = "Repository name (without the owner) trusted by the roles."
  type        = string
  default     = "powertune"

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be a literal repository name; wildcards are not allowed."
  }
}

variable "github_owner_id" {
  description = "Numeric id of the owner, for the immutable subject claim form repo:OWNER@ID/REPO@ID:...; empty to trust only the classic form."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[0-9]*$", var.github_owner_id))
    error_message = "github_owner_id must be digits (or empty)."
  }
}

variable "github_repository_id" {
  description = "Numeric id of the repository, for the immutable subject claim form; empty to trust only the classic form."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[0-9]*$", var.github_repository_id))
    error_message = "github_repository_id must be digits (or empty)."
  }
}

variable "github_branch" {
  description = "Branch whose workflow runs may assume the roles."
  type        = string
  default     = "main"
}

variable "github_environment" {
  description = "GitHub deployment environment whose jobs may assume the roles (jobs with an environment get an environment subject, not a branch one)."
  type        = string
  default     = "production"
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider; set false if the account already has one."
  type        = bool
  default     = true
}

variable "terraform_state_bucket" {
  description = "S3 bucket holding the remote state, which the deploy role may read and write; empty for none."
  type        = string
  default     = ""
}
