"""One self-contained HTML page: the map's JSON, drawn as an SVG graph by a little inline
script (assets/map.js), with filters by table, region and rule, and the call sites of an edge
listed when it is clicked. It makes no request of any kind (its Content-Security-Policy allows
only its own script and style, by hash), so it works from `file://` and offline."""
from __future__ import annotations

from typing import TYPE_CHECKING

import base64
import hashlib
import json
import re
from importlib import resources

from ddblint.mapview.json import as_dict

if TYPE_CHECKING:  # annotations only: a format module is imported to list it (`formats`)
    from ddblint.topology import Topology

ORDER = 4

_PLACEHOLDER = re.compile(r"\{(csp|style|script|data)\}")
# In a <script> element, `</script>` (any case) or `<!--` would end or confuse it: JSON allows
# writing every `<`, `>` and `&` as an escape instead.
_IN_SCRIPT = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _asset(name: str) -> str:
    return (resources.files("ddblint.mapview") / "assets" / name).read_text(encoding="utf-8")


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def render(topology: Topology) -> str:
    style, script = _asset("map.css"), _asset("map.js")
    data = json.dumps(as_dict(topology), separators=(",", ":"), ensure_ascii=False)
    data = "".join(_IN_SCRIPT.get(c, c) for c in data)
    values = {
        "csp": f"default-src 'none'; script-src {_hash(script)}; style-src {_hash(style)}; "
               f"base-uri 'none'; form-action 'none'",
        "style": style, "script": script, "data": data,
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _asset("map.html"))
