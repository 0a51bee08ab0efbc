"""jobq: a durable job queue, lease manager and workflow engine on DynamoDB."""
__version__ = "1.3.0"
