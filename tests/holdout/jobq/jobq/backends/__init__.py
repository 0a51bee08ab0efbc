"""Legacy SQL backends, kept for installations that have not migrated to DynamoDB."""
