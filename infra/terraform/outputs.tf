output "invoke_url" {
  description = "Base URL of the deployed stage (append /items)."
  value       = aws_api_gateway_stage.items.invoke_url
}

output "api_id" {
  description = "REST API id."
  value       = aws_api_gateway_rest_api.items.id
}

output "stage_name" {
  description = "API Gateway stage."
  value       = aws_api_gateway_stage.items.stage_name
}

output "function_name" {
  description = "The Lambda function to tune."
  value       = aws_lambda_function.api.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = aws_lambda_function.api.arn
}

# No output mirrors memory_size: powertune changes the memory outside Terraform and writes it
# back to memory.auto.tfvars.json, and an output of it would show up as a change in every plan
# after a tuned apply (outputs are kept in the state), though the infrastructure matches.

output "table_name" {
  description = "DynamoDB table of items."
  value       = aws_dynamodb_table.items.name
}

output "bucket" {
  description = "S3 bucket for tuning reports."
  value       = aws_s3_bucket.reports.bucket
}

output "deploy_role_arn" {
  description = "Role GitHub Actions assumes to apply this stack."
  value       = aws_iam_role.deploy.arn
}

output "tuning_role_arn" {
  description = "Role GitHub Actions assumes to tune the function."
  value       = aws_iam_role.tuning.arn
}

output "function_role_arn" {
  description = "Execution role of the function."
  value       = aws_iam_role.function.arn
}
