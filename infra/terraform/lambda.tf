locals {
  function_name = "${var.name_prefix}-api"
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "api" {
  function_name    = local.function_name
  description      = "Items API (reference workload for powertune)"
  role             = aws_iam_role.function.arn
  runtime          = "python3.11"
  handler          = "items_api.handler.lambda_handler"
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  architectures    = ["x86_64"]
  # Tuned value: powertune writes memory.auto.tfvars.json, so the next apply keeps it.
  memory_size = var.memory_size
  timeout     = var.lambda_timeout_seconds

  environment {
    variables = {
      TABLE_NAME              = aws_dynamodb_table.items.name
      POWERTOOLS_SERVICE_NAME = "items-api"
      POWERTOOLS_LOG_LEVEL    = "INFO"
    }
  }

  tracing_config {
    mode = "Active"
  }

  # The log group must exist (with its retention) before Lambda would create it without one.
  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function]
}

resource "aws_lambda_permission" "apigateway" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.items.execution_arn}/${var.stage_name}/*/*"
}
