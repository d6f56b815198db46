resource "aws_api_gateway_rest_api" "items" {
  name        = "${var.name_prefix}-api"
  description = "Items API (reference workload for powertune)"
  # The export route returns gzip; API Gateway decodes the function's base64 body
  # to binary only for media types listed here.
  binary_media_types = ["application/gzip"]

  endpoint_configuration {
    types = ["REGIONAL"]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_resource" "items" {
  rest_api_id = aws_api_gateway_rest_api.items.id
  parent_id   = aws_api_gateway_rest_api.items.root_resource_id
  path_part   = "items"
}

resource "aws_api_gateway_resource" "export" {
  rest_api_id = aws_api_gateway_rest_api.items.id
  parent_id   = aws_api_gateway_resource.items.id
  path_part   = "export"
}

resource "aws_api_gateway_resource" "item" {
  rest_api_id = aws_api_gateway_rest_api.items.id
  parent_id   = aws_api_gateway_resource.items.id
  path_part   = "{id}"
}

locals {
  # ANY on every resource: the handler answers 405 with Allow itself, so the
  # method list lives in one place (the app) instead of two.
  api_resources = {
    items  = aws_api_gateway_resource.items.id
    export = aws_api_gateway_resource.export.id
    item   = aws_api_gateway_resource.item.id
  }
}

resource "aws_api_gateway_method" "any" {
  for_each      = local.api_resources
  rest_api_id   = aws_api_gateway_rest_api.items.id
  resource_id   = each.value
  http_method   = "ANY"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "lambda" {
  for_each                = local.api_resources
  rest_api_id             = aws_api_gateway_rest_api.items.id
  resource_id             = each.value
  http_method             = aws_api_gateway_method.any[each.key].http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.api.invoke_arn
}

resource "aws_api_gateway_deployment" "items" {
  rest_api_id = aws_api_gateway_rest_api.items.id

  # A REST API serves its last deployment; redeploy whenever the routes change.
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_rest_api.items.binary_media_types,
      [for k in sort(keys(local.api_resources)) : local.api_resources[k]],
      [for k in sort(keys(local.api_resources)) : aws_api_gateway_method.any[k].id],
      [for k in sort(keys(local.api_resources)) : aws_api_gateway_integration.lambda[k].id],
      [for k in sort(keys(local.api_resources)) : aws_api_gateway_integration.lambda[k].uri],
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${var.name_prefix}-api/access"
  retention_in_days = var.log_retention_days
}

resource "aws_api_gateway_stage" "items" {
  rest_api_id          = aws_api_gateway_rest_api.items.id
  deployment_id        = aws_api_gateway_deployment.items.id
  stage_name           = var.stage_name
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      extendedRequestId  = "$context.extendedRequestId"
      ip                 = "$context.identity.sourceIp"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationLatency = "$context.integrationLatency"
      integrationStatus  = "$context.integration.status"
      errorMessage       = "$context.error.message"
    })
  }

  depends_on = [aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.items.id
  stage_name  = aws_api_gateway_stage.items.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false
    throttling_rate_limit  = var.throttle_rate_limit
    throttling_burst_limit = var.throttle_burst_limit
  }
}

# API Gateway writes logs through one account-wide role per region.
data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_cloudwatch" {
  count              = var.manage_apigateway_account ? 1 : 0
  name               = "${var.name_prefix}-apigw-logs"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

# The permissions of the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs,
# inline so they are pinned here and limited to API Gateway's log groups.
data "aws_iam_policy_document" "apigateway_cloudwatch" {
  statement {
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogGroups",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
      "logs:GetLogEvents",
      "logs:FilterLogEvents",
    ]
    resources = ["arn:${local.partition}:logs:${var.aws_region}:${local.account_id}:log-group:*"]
  }
}

resource "aws_iam_role_policy" "apigateway_cloudwatch" {
  count  = var.manage_apigateway_account ? 1 : 0
  name   = "push-to-cloudwatch-logs"
  role   = aws_iam_role.apigateway_cloudwatch[0].id
  policy = data.aws_iam_policy_document.apigateway_cloudwatch.json
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_apigateway_account ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch[0].arn
  depends_on          = [aws_iam_role_policy.apigateway_cloudwatch]
}
