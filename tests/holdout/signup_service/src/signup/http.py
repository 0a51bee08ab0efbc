import json
from decimal import Decimal


class _Encoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def response(status, body=None, headers=None):
    out_headers = {"Content-Type": "application/json"}
    out_headers.update(headers or {})  # label: ok
    return {
        "statusCode": status,
        "headers": out_headers,
        "body": json.dumps(body if body is not None else {}, cls=_Encoder),
    }


def path_param(event, name):
    return (event.get("pathParameters") or {})[name]


def json_body(event):
    return json.loads(event.get("body") or "{}")
