import os

import aioboto3

SESSION = aioboto3.Session()
PRODUCTS_TABLE = os.environ.get("PRODUCTS_TABLE", "catalog-products")
REVIEWS_TABLE = os.environ.get("REVIEWS_TABLE", "catalog-reviews")
SEARCH_TABLE = os.environ.get("SEARCH_TABLE", "catalog-search")
