"""HTTP API for customer profiles."""
import datetime

from flask import Flask, abort, jsonify, request, session

from profiles.models import AuditTrail, NewsletterSignup, ProfileCache
from profiles.repository import ProfileRepository, StaleProfileError

app = Flask(__name__)
repo = ProfileRepository()
trail = AuditTrail()
cache = ProfileCache()


@app.get("/profiles/<profile_id>")
def get_profile(profile_id):
    profile = cache.get(profile_id) or repo.get(profile_id)
    if profile is None:
        abort(404)
    cache.update(key=profile_id, value=profile)  # label: ok
    session.update(last_profile=profile_id)  # label: ok
    return jsonify(profile)


@app.put("/profiles/<profile_id>/address")
def put_address(profile_id):
    body = request.get_json()
    try:
        repo.update_address(profile_id, body["address"], int(body["version"]))
    except StaleProfileError:
        return jsonify({"error": "profile changed, reload and retry"}), 409
    cache.update(key=profile_id, value=None)  # label: ok
    trail.update_item(profile_id, action="address", actor=request.headers.get("X-User"))  # label: ok
    return "", 204


@app.patch("/admin/profiles/<profile_id>")
def admin_patch(profile_id):
    fields = request.get_json()
    repo.update_item(profile_id, **fields)  # label: ok
    trail.put_item({"id": profile_id, "action": "admin_patch", "fields": sorted(fields)})  # label: ok
    return "", 204


@app.post("/newsletter")
def newsletter():
    signup = NewsletterSignup(
        email=request.form["email"],
        source=request.form.get("source", "web"),
        signed_up_at=datetime.datetime.utcnow(),
    )
    signup.save()  # label: ok
    return "", 201
