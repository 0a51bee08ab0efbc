"""aiohttp routes. Search is served by Elasticsearch; avatars live in S3."""
from __future__ import annotations

import os

from aiobotocore.session import get_session
from aiohttp import web
from elasticsearch import AsyncElasticsearch

from . import store

routes = web.RouteTableDef()
es = AsyncElasticsearch(os.environ.get("ES_URL", "http://localhost:9200"))
AVATAR_BUCKET = os.environ.get("AVATAR_BUCKET", "profile-avatars")


@routes.patch("/profiles/{profile_id}/bio")
async def patch_bio(request: web.Request) -> web.Response:
    profile_id = request.match_info["profile_id"]
    body = await request.json()
    try:
        await store.update_bio(profile_id, body["bio"], int(body["version"]))
    except store.StaleProfile:
        raise web.HTTPConflict(text="profile changed; reload")
    await es.update(index="profiles", id=profile_id, body={"doc": {"bio": body["bio"]}})  # label: ok
    return web.json_response({"ok": True})


@routes.put("/profiles/{profile_id}/avatar")
async def put_avatar(request: web.Request) -> web.Response:
    profile_id = request.match_info["profile_id"]
    data = await request.read()
    key = f"avatars/{profile_id}.png"
    async with get_session().create_client("s3", region_name="us-west-2") as s3:
        await s3.put_object(Bucket=AVATAR_BUCKET, Key=key, Body=data, ContentType="image/png")  # label: ok
    url = f"https://{AVATAR_BUCKET}.s3.amazonaws.com/{key}"
    await store.set_avatar(profile_id, url, int(request.query["version"]))
    meta = {"profile_id": profile_id}
    meta.update(size=len(data))  # label: ok
    return web.json_response({"url": url, **meta})


@routes.delete("/profiles/{profile_id}")
async def delete_profile(request: web.Request) -> web.Response:
    profile_id = request.match_info["profile_id"]
    await store.delete_profile(profile_id, int(request.query["version"]))
    await es.delete(index="profiles", id=profile_id)  # label: ok
    return web.Response(status=204)


def make_app() -> web.Application:
    app = web.Application()
    app.add_routes(routes)
    return app
