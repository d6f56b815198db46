# The tuner as a Step Functions state machine: one Lambda runs every step (plan, prepare,
# invoke a batch, analyse, clean up); the state machine loops over batches and always
# cleans up on error before it ends FAILED. Least privilege: the handler may change only
# the functions in var.tuned_function_arns (and only versions and aliases of them), the
# state machine may invoke only the handler. A fleet can instead be granted by tag
# (var.tuned_function_tags).

locals {
  # Versions and aliases of the tuned functions: the tuner invokes, creates and deletes only those.
  qualified_arns = [for arn in var.tuned_function_arns : "${arn}:*"]
  definition = replace(
    replace(file(var.definition_path), "__HANDLER_ARN__", aws_lambda_function.steps.arn),
    "\"__MAX_CONCURRENCY__\"",
    tostring(var.max_concurrency)
  )
  fleet_definition = replace(replace(replace(replace(
    file(var.fleet_definition_path),
    "__HANDLER_ARN__", aws_lambda_function.steps.arn),
    "__TUNER_ARN__", aws_sfn_state_machine.tuner.arn),
    "\"__FLEET_CONCURRENCY__\"", tostring(var.fleet_max_concurrency)),
    "\"__ITEM_TIMEOUT_S__\"", tostring(var.fleet_item_timeout_s)
  )
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "states_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "steps" {
  dynamic "statement" {
    for_each = length(var.tuned_function_arns) > 0 ? [1] : []
    content {
      sid = "ReadAndSetLatest"
      actions = [
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        # GetFunction on a tagged function needs ListTags too
        "lambda:ListTags",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PublishVersion",
        "lambda:ListVersionsByFunction",
      ]
      resources = var.tuned_function_arns
    }
  }
  dynamic "statement" {
    for_each = length(var.tuned_function_arns) > 0 ? [1] : []
    content {
      sid = "TemporaryVersionsAndAliases"
      actions = [
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:CreateAlias",
        "lambda:GetAlias",
        "lambda:DeleteAlias",
        "lambda:InvokeFunction",
        # on a qualified ARN, DeleteFunction deletes one version only, never the function
        "lambda:DeleteFunction",
      ]
      resources = local.qualified_arns
    }
  }
  # A fleet by tag (attribute-based access): the same actions on every function of the
  # account and region that carries all of var.tuned_function_tags, and on its versions
  # and aliases (Lambda checks the function's tags for them).
  dynamic "statement" {
    for_each = length(var.tuned_function_tags) > 0 ? [1] : []
    content {
      sid = "TaggedFunctions"
      actions = [
        "lambda:GetFunction",
        "lambda:GetFunctionConfiguration",
        "lambda:ListTags",
        "lambda:UpdateFunctionConfiguration",
        "lambda:PublishVersion",
        "lambda:ListVersionsByFunction",
        "lambda:CreateAlias",
        "lambda:GetAlias",
        "lambda:DeleteAlias",
        "lambda:InvokeFunction",
        # the handler deletes only the versions it published (found by the run's description)
        "lambda:DeleteFunction",
      ]
      resources = ["arn:${local.partition}:lambda:${local.here}:function:*"]
      dynamic "condition" {
        for_each = var.tuned_function_tags
        content {
          test     = "StringEquals"
          variable = "aws:ResourceTag/${condition.key}"
          values   = [condition.value]
        }
      }
    }
  }
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.steps.arn}:*"]
  }
}

resource "aws_iam_role" "steps" {
  name               = "${var.name_prefix}-steps"
  description        = "The powertune steps' Lambda: tunes only the listed functions"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

resource "aws_iam_role_policy" "steps" {
  name   = "tune-listed-functions"
  role   = aws_iam_role.steps.id
  policy = data.aws_iam_policy_document.steps.json
}

resource "aws_cloudwatch_log_group" "steps" {
  name              = "/aws/lambda/${var.name_prefix}-steps"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "steps" {
  # checkov:skip=CKV_AWS_50:the steps call only Lambda, and the execution's history already records each step's input, output and timing; X-Ray would need xray:* on every resource
  function_name    = "${var.name_prefix}-steps"
  description      = "powertune: the tuner's steps (plan, prepare, invoke, analyse, clean up)"
  role             = aws_iam_role.steps.arn
  runtime          = "python3.11"
  handler          = "powertune.stepfunctions.handler.handle"
  filename         = var.handlers_zip_path
  source_code_hash = filebase64sha256(var.handlers_zip_path)
  # Lambda's limit; each step returns well before it (a batch stops after 5 minutes)
  timeout     = 900
  memory_size = var.handler_memory_mb

  depends_on = [aws_cloudwatch_log_group.steps]
}

data "aws_iam_policy_document" "states" {
  statement {
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.steps.arn, "${aws_lambda_function.steps.arn}:*"]
  }
}

resource "aws_iam_role" "states" {
  name               = "${var.name_prefix}-states"
  description        = "The powertune state machine: invokes only its steps' Lambda"
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
}

resource "aws_iam_role_policy" "states" {
  name   = "invoke-steps"
  role   = aws_iam_role.states.id
  policy = data.aws_iam_policy_document.states.json
}

resource "aws_sfn_state_machine" "tuner" {
  # checkov:skip=CKV_AWS_284:X-Ray adds nothing to the execution history for a chain of Lambda steps, and needs xray:* on every resource in the states role
  # checkov:skip=CKV_AWS_285:the Standard workflow's own history (kept 90 days) holds every event; CloudWatch logging needs logs:*Delivery* on every resource in the states role
  name       = "${var.name_prefix}-tuner"
  type       = "STANDARD"
  role_arn   = aws_iam_role.states.arn
  definition = local.definition
}

# The fleet: a Distributed Map whose items run the tuner as child workflows (.sync:2), and
# sweep a function whose child failed with the steps' Lambda. Its role may start and follow
# the tuner's executions and its own map run's, and invoke the steps' Lambda.
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  fleet_name = "${var.name_prefix}-fleet"
  # "PARTITION:SERVICE:REGION:ACCOUNT" is the same for every ARN this module builds
  partition  = data.aws_partition.current.partition
  here       = "${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
  states_arn = "arn:${local.partition}:states:${local.here}"
  # built from its name: the policy cannot refer to the state machine it is attached to
  fleet_arn = "${local.states_arn}:stateMachine:${local.fleet_name}"
}

data "aws_iam_policy_document" "fleet" {
  statement {
    sid       = "InvokeSteps"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.steps.arn, "${aws_lambda_function.steps.arn}:*"]
  }
  statement {
    sid       = "StartChildWorkflows"
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.tuner.arn, local.fleet_arn]
  }
  statement {
    sid     = "FollowAndStopChildWorkflows"
    actions = ["states:DescribeExecution", "states:StopExecution"]
    resources = [
      "${local.states_arn}:execution:${aws_sfn_state_machine.tuner.name}:*",
      "${local.states_arn}:execution:${local.fleet_name}/*",
    ]
  }
  statement {
    sid       = "SyncIntegrationRule"
    actions   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = ["arn:${local.partition}:events:${local.here}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"]
  }
}

resource "aws_iam_role" "fleet" {
  name               = "${var.name_prefix}-fleet"
  description        = "The powertune fleet state machine: runs the tuner per function"
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
}

resource "aws_iam_role_policy" "fleet" {
  name   = "run-tuner-per-function"
  role   = aws_iam_role.fleet.id
  policy = data.aws_iam_policy_document.fleet.json
}

resource "aws_sfn_state_machine" "fleet" {
  # checkov:skip=CKV_AWS_284:X-Ray adds nothing to the execution history for a chain of Lambda steps, and needs xray:* on every resource in the states role
  # checkov:skip=CKV_AWS_285:the Standard workflow's own history (kept 90 days) holds every event; CloudWatch logging needs logs:*Delivery* on every resource in the states role
  name       = local.fleet_name
  type       = "STANDARD"
  role_arn   = aws_iam_role.fleet.arn
  definition = local.fleet_definition

  depends_on = [aws_iam_role_policy.fleet]
}
