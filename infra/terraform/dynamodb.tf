resource "aws_dynamodb_table" "items" {
  name         = "${var.name_prefix}-items"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  # Encrypted with the AWS managed key (aws/dynamodb); see checkov skip CKV_AWS_119.
  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = false
}
