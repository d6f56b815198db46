"""The reference items API: a Lambda handler behind API Gateway, storing items in DynamoDB."""
