import os

PROFILES_TABLE = os.environ.get("PROFILES_TABLE", "customer-profiles")
PREFERENCES_TABLE = os.environ.get("PREFERENCES_TABLE", "customer-preferences")
AWS_REGION = os.environ.get("AWS_REGION", "eu-west-1")
