"""FastAPI routes for the catalogue."""
import asyncio
import os
from typing import Any, Dict, List

import httpx
import redis.asyncio as aioredis
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from catalog import reviews, search_index
from catalog.products import ProductService

app = FastAPI()
service = ProductService()
redis = aioredis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
PRICING_WEBHOOK = os.environ.get("PRICING_WEBHOOK", "http://pricing.internal/hooks")
_local_cache: Dict[str, Dict[str, Any]] = {}


class IndexQueue:
    """Coalesces re-index requests; a background task drains it."""

    def __init__(self) -> None:
        self._queue: "asyncio.Queue[str]" = asyncio.Queue()

    def put_item(self, sku: str) -> None:
        self._queue.put_nowait(sku)

    async def next(self) -> str:
        return await self._queue.get()


index_queue = IndexQueue()


class ProductIn(BaseModel):
    sku: str
    title: str
    price_cents: int
    tags: List[str] = []


class PriceChange(BaseModel):
    price_cents: int
    version: int


class ReviewIn(BaseModel):
    review_id: str
    author: str
    rating: int
    body: str


@app.post("/products", status_code=201)
async def create_product(body: ProductIn):
    await service.create(body.dict())
    _local_cache.update({body.sku: body.dict()})  # label: ok
    index_queue.put_item(body.sku)  # label: ok
    return {"sku": body.sku}


@app.put("/products/{sku}/price")
async def change_price(sku: str, change: PriceChange):
    product = await service.change_price(sku, change.price_cents, change.version)
    await redis.set(f"price:{sku}", change.price_cents)  # label: ok
    async with httpx.AsyncClient() as http:
        await http.put(f"{PRICING_WEBHOOK}/{sku}", json={"price_cents": change.price_cents})  # label: ok
    return product


@app.post("/products/{sku}/reviews", status_code=201)
async def post_review(sku: str, review: ReviewIn):
    if await service.get(sku) is None:
        raise HTTPException(status_code=404)
    await reviews.add_review(sku, review.review_id, review.author, review.rating, review.body)
    return {"review_id": review.review_id}


@app.get("/search")
async def search(q: str):
    return {"skus": await search_index.lookup(q)}
