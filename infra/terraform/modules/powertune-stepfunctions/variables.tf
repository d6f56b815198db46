variable "name_prefix" {
  description = "Prefix of every resource name (the handler, its roles, the state machine)."
  type        = string
  default     = "powertune"
}

variable "handlers_zip_path" {
  description = "The steps' Lambda zip, built by `python -m powertune.stepfunctions.packaging` (no archive provider needed)."
  type        = string
}

variable "definition_path" {
  description = "The ASL template (statemachine.asl.json) written beside the zip by the same command."
  type        = string
}

variable "tuned_function_arns" {
  description = "Unqualified ARNs of the functions the state machine may tune; its IAM is scoped to them."
  type        = list(string)

  default = []

  validation {
    condition     = length(var.tuned_function_arns) > 0 || length(var.tuned_function_tags) > 0
    error_message = "List at least one function ARN to tune (tuned_function_arns), or the tags of a fleet (tuned_function_tags); the handler gets no Lambda permission beyond them."
  }
}

variable "tuned_function_tags" {
  description = "Tags (key = value) of a fleet: the handler may tune every function of the account and region that carries all of them (IAM's aws:ResourceTag condition), besides tuned_function_arns."
  type        = map(string)
  default     = {}
}

variable "max_concurrency" {
  description = "Sizes measured at once in each batch (the Map's MaxConcurrency; 0 = all). Lower it when the function is throttled or its sizes contend for a shared dependency."
  type        = number
  default     = 3

  validation {
    condition     = var.max_concurrency >= 0 && floor(var.max_concurrency) == var.max_concurrency
    error_message = "max_concurrency must be a whole number, 0 (no limit) or more."
  }
}

variable "handler_memory_mb" {
  description = "Memory of the steps' Lambda (the adaptive policy's statistics run there)."
  type        = number
  default     = 1024
}

variable "log_retention_days" {
  description = "Retention of the steps' Lambda log group."
  type        = number
  default     = 14
}

variable "fleet_definition_path" {
  description = "The fleet's ASL template (fleet.asl.json) written beside the zip by the packaging command."
  type        = string
}

variable "fleet_max_concurrency" {
  description = "Functions tuned at once by a fleet execution (the Distributed Map's MaxConcurrency; 0 = as many as Step Functions allows)."
  type        = number
  default     = 5

  validation {
    condition     = var.fleet_max_concurrency >= 0 && floor(var.fleet_max_concurrency) == var.fleet_max_concurrency
    error_message = "fleet_max_concurrency must be a whole number, 0 (no limit) or more."
  }
}

variable "fleet_item_timeout_s" {
  description = "Longest one function's tuning may take in a fleet; past it the child workflow is stopped and the function swept clean."
  type        = number
  default     = 14400

  validation {
    condition     = var.fleet_item_timeout_s >= 60 && floor(var.fleet_item_timeout_s) == var.fleet_item_timeout_s
    error_message = "fleet_item_timeout_s must be a whole number of seconds, 60 or more."
  }
}
