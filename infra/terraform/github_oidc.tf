# GitHub Actions OIDC: one provider, a deploy role and a tuning role, both
# trusting exactly one repository on one branch or one environment.

locals {
  oidc_host = "token.actions.githubusercontent.com"
  oidc_provider_arn = (
    var.create_github_oidc_provider
    ? aws_iam_openid_connect_provider.github[0].arn
    : "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.oidc_host}"
  )

  # Classic subjects, plus the immutable form with numeric ids
  # (repo:OWNER@ID/REPO@ID:...) that repositories created from 2026-07-15 emit.
  github_repo_forms = concat(
    ["${var.github_owner}/${var.github_repository}"],
    var.github_owner_id != "" && var.github_repository_id != "" ? [
      "${var.github_owner}@${var.github_owner_id}/${var.github_repository}@${var.github_repository_id}"
    ] : [],
  )
  github_subjects = flatten([
    for repo in local.github_repo_forms : [
      "repo:${repo}:ref:refs/heads/${var.github_branch}",
      "repo:${repo}:environment:${var.github_environment}",
    ]
  ])
}

resource "aws_iam_openid_connect_provider" "github" {
  count          = var.create_github_oidc_provider ? 1 : 0
  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
  # IAM validates GitHub's certificate against its trusted CAs; the thumbprint is
  # kept only because older providers and tools expect one (IAM API reference).
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

data "aws_iam_policy_document" "github_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Exact subjects only (StringEquals, no wildcards): one repository, one
    # branch or one environment.
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = local.github_subjects
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = "${var.name_prefix}-deploy"
  description          = "Assumed by GitHub Actions to apply this stack"
  assume_role_policy   = data.aws_iam_policy_document.github_trust.json
  max_session_duration = 3600
}

resource "aws_iam_role" "tuning" {
  name                 = "${var.name_prefix}-tuning"
  description          = "Assumed by GitHub Actions to tune the function's memory"
  assume_role_policy   = data.aws_iam_policy_document.github_trust.json
  max_session_duration = 3600
}

locals {
  arn_prefix   = "arn:${local.partition}"
  region_acct  = "${var.aws_region}:${local.account_id}"
  app_role_arn = "${local.arn_prefix}:iam::${local.account_id}:role/${var.name_prefix}"
}

# The deploy role manages the application's resources. It can read, but not
# change, the OIDC provider and the deploy/tuning roles, so a workflow cannot
# widen its own trust or permissions: those change only through an admin apply.
data "aws_iam_policy_document" "deploy" {
  statement {
    sid       = "Table"
    actions   = ["dynamodb:*"]
    resources = ["${local.arn_prefix}:dynamodb:${local.region_acct}:table/${var.name_prefix}-*"]
  }

  statement {
    sid       = "Function"
    actions   = ["lambda:*"]
    resources = ["${local.arn_prefix}:lambda:${local.region_acct}:function:${var.name_prefix}-*"]
  }

  statement {
    sid     = "Api"
    actions = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"]
    resources = [
      "${local.arn_prefix}:apigateway:${var.aws_region}::/restapis",
      "${local.arn_prefix}:apigateway:${var.aws_region}::/restapis/*",
      "${local.arn_prefix}:apigateway:${var.aws_region}::/account",
      "${local.arn_prefix}:apigateway:${var.aws_region}::/tags/*", # default_tags on the API and stage
    ]
  }

  statement {
    sid     = "LogGroups"
    actions = ["logs:*"]
    resources = [
      "${local.arn_prefix}:logs:${local.region_acct}:log-group:/aws/lambda/${var.name_prefix}-*",
      "${local.arn_prefix}:logs:${local.region_acct}:log-group:/aws/apigateway/${var.name_prefix}-*",
    ]
  }

  statement {
    # The provider reads log groups through DescribeLogGroups, which is
    # authorised on the account's log-group:* resource, not per group.
    sid       = "DescribeLogs"
    actions   = ["logs:DescribeLogGroups", "logs:ListTagsForResource"]
    resources = ["${local.arn_prefix}:logs:${local.region_acct}:log-group:*"]
  }

  statement {
    sid       = "ReportsBucket"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
  }

  statement {
    sid = "AppRoles"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
      "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
      "iam:TagRole", "iam:UntagRole",
    ]
    resources = ["${local.app_role_arn}-function", "${local.app_role_arn}-apigw-logs"]
  }

  statement {
    sid = "ReadIam"
    actions = [
      "iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:ListInstanceProfilesForRole", "iam:GetOpenIDConnectProvider",
    ]
    resources = [
      "${local.app_role_arn}-*",
      "${local.arn_prefix}:iam::${local.account_id}:oidc-provider/${local.oidc_host}",
    ]
  }

  statement {
    sid       = "PassFunctionRole"
    actions   = ["iam:PassRole"]
    resources = ["${local.app_role_arn}-function"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  statement {
    sid       = "PassApiGatewayLogsRole"
    actions   = ["iam:PassRole"]
    resources = ["${local.app_role_arn}-apigw-logs"]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["apigateway.amazonaws.com"]
    }
  }

  dynamic "statement" {
    for_each = var.terraform_state_bucket == "" ? [] : [var.terraform_state_bucket]
    content {
      sid       = "RemoteState"
      actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = ["${local.arn_prefix}:s3:::${statement.value}", "${local.arn_prefix}:s3:::${statement.value}/*"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy-items-stack"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}

# The tuning job: read and change the function's configuration, publish
# versions and aliases to measure each memory size, invoke them, clean up, and
# write reports. Version/alias deletion is allowed on qualified ARNs only.
# Not granted on purpose: UpdateFunctionCode (only needed to compare
# architectures) and CreateFunction + iam:PassRole (only for --scratch-copy).
data "aws_iam_policy_document" "tuning" {
  statement {
    sid = "TuneFunction"
    actions = [
      "lambda:GetFunction",
      "lambda:GetFunctionConfiguration",
      "lambda:UpdateFunctionConfiguration",
      "lambda:PublishVersion",
      "lambda:ListVersionsByFunction",
      "lambda:GetAlias",
      "lambda:ListAliases",
      "lambda:CreateAlias",
      "lambda:UpdateAlias",
      "lambda:DeleteAlias",
      "lambda:InvokeFunction",
    ]
    resources = [aws_lambda_function.api.arn, "${aws_lambda_function.api.arn}:*"]
  }

  statement {
    sid       = "DeleteTuningVersions"
    actions   = ["lambda:DeleteFunction"]
    resources = ["${aws_lambda_function.api.arn}:*"]
  }

  statement {
    sid       = "WriteReports"
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${aws_s3_bucket.reports.arn}/*"]
  }

  statement {
    sid       = "ListReports"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.reports.arn]
  }
}

resource "aws_iam_role_policy" "tuning" {
  name   = "tune-items-function"
  role   = aws_iam_role.tuning.id
  policy = data.aws_iam_policy_document.tuning.json
}
