"""The tuner as a Step Functions state machine: its steps as Lambda handlers, its ASL, its deploy.

`steps` holds the pure step logic over the Backend port (the same core as the CLI:
plan, preparation, the ledger and undo, the sampling policies); `handler` is the
boto3 glue Lambda runs; `codec` is the JSON the execution carries between steps;
`asl` loads and validates the state machine; `packaging` and `deploy` build the
handlers' zip and apply `infra/terraform/modules/powertune-stepfunctions`;
`execution` starts and follows an execution and counts its state transitions.
"""
