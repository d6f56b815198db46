output "state_machine_arn" {
  description = "Start executions of this state machine (powertune tune --engine stepfunctions --state-machine-arn ...)."
  value       = aws_sfn_state_machine.tuner.arn
}

output "handler_arn" {
  description = "The Lambda that runs every step."
  value       = aws_lambda_function.steps.arn
}

output "fleet_state_machine_arn" {
  description = "Start fleet executions of this state machine (powertune fleet --state-machine-arn ...)."
  value       = aws_sfn_state_machine.fleet.arn
}
