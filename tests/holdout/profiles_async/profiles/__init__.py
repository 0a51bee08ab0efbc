"""Async profile service (aiohttp + aiobotocore)."""
