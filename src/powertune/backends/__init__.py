"""Adapters for the Backend port: AWS (boto3, also the local cloud), a fake, a simulator."""
