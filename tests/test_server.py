"""The language server (`ddblint.server`), as an editor meets it: a real LSP conversation over
the standard input and output of a server subprocess, with a small JSON-RPC client written here
(Content-Length framing) so that every byte the server writes to standard output is accounted
for. Plus the position and edit helpers the server is built from.

Every wait is bounded (10 s), so a server that hangs fails the test instead of the run.
"""
from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from ddblint import config, engine, fix, noqa, parsing, registry, server
from ddblint.diagnostics import Edit, Location
from ddblint.dynamo import table_registry

TIMEOUT = 10.0

CONFIG = """\
[tool.ddblint]
region = "eu-west-1"
{extra}
[tool.ddblint.tables.subscribers]
name = "subscribers"
mode = "global"
home-region = "eu-west-1"
replicas = ["eu-west-1", "us-east-1"]
partition-key = "pk"

[tool.ddblint.tables.subscribers.indexes]
by-email = "global"
"""

# A blind update_item (DDB101) on one line, after and containing characters outside the Basic
# Multilingual Plane: in UTF-16 each counts two, so the range's columns differ from ddblint's.
BLIND_LINE = ('    label = "😀"; table.update_item(Key={"pk": "📦"}, UpdateExpression="SET a = :a", '
              'ExpressionAttributeValues={":a": label})')
APP = (
    "import boto3\n"
    "\n"
    'table = boto3.resource("dynamodb", region_name="eu-west-1").Table("subscribers")\n'
    "\n"
    "\n"
    "def touch(pk):\n"
    f"{BLIND_LINE}\n"
)
BLIND_ROW = 6  # 0-based

# ConsistentRead=True on a global secondary index (DDB301), a finding that may carry a fix
READS = (
    "import boto3\n"
    "\n"
    'table = boto3.resource("dynamodb", region_name="eu-west-1").Table("subscribers")\n'
    "\n"
    "\n"
    "def by_email(email):\n"
    '    return table.query(IndexName="by-email", KeyConditionExpression="email = :e",\n'
    '                       ExpressionAttributeValues={":e": email}, ConsistentRead=True)\n'
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def offset_at(text: str, position: Dict[str, int]) -> int:
    """An LSP position (UTF-16) to an index into `text`, written independently of the server."""
    lines = re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", text)
    index = sum(len(line) for line in lines[:position["line"]])
    line = lines[position["line"]] if position["line"] < len(lines) else ""
    units = 0
    for i, char in enumerate(line):
        if units >= position["character"]:
            return index + i
        units += 2 if ord(char) > 0xFFFF else 1
    return index + len(line.rstrip("\r\n"))


def apply_text_edits(text: str, edits: List[Dict[str, Any]]) -> str:
    spans = sorted(((offset_at(text, e["range"]["start"]), offset_at(text, e["range"]["end"]), e["newText"])
                    for e in edits), reverse=True)
    for start, end, content in spans:
        text = text[:start] + content + text[end:]
    return text


class Client:
    """A minimal LSP client: JSON-RPC with Content-Length framing over a subprocess's pipes."""

    def __init__(self, cwd: Path, code: str = "from ddblint.server import main; main()") -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=str(cwd), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox: "queue.Queue[Optional[dict]]" = queue.Queue()
        self.garbage: List[bytes] = []  # bytes on standard output that are not protocol messages
        self.stderr = bytearray()
        self.notifications: List[dict] = []
        self.responses: Dict[int, dict] = {}
        self.server_requests: List[dict] = []
        self.handlers: Dict[str, Callable[[Any], Any]] = {"client/registerCapability": lambda params: None}
        self.next_id = 0
        self.eof = threading.Event()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # -- the wire ---------------------------------------------------------------------------------
    def _read_stdout(self) -> None:
        stream = self.process.stdout
        try:
            while True:
                headers: Dict[str, str] = {}
                while True:
                    line = stream.readline()
                    if not line:
                        if headers:
                            self.garbage.append(b"<EOF inside a header>")
                        return
                    if line == b"\r\n" and headers:
                        break
                    match = re.fullmatch(rb"([A-Za-z-]+): ([^\r\n]*)\r\n", line)
                    if match is None:
                        self.garbage.append(line)
                        continue
                    headers[match.group(1).decode().lower()] = match.group(2).decode()
                length = int(headers.get("content-length", "-1"))
                body = stream.read(length) if length >= 0 else b""
                if length < 0 or len(body) != length:
                    self.garbage.append(b"<bad Content-Length> " + body)
                    return
                self.inbox.put(json.loads(body.decode("utf-8")))
        finally:
            self.eof.set()
            self.inbox.put(None)

    def _read_stderr(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read1(65536), b""):
            self.stderr += chunk

    def send(self, message: dict) -> None:
        body = json.dumps(dict(message, jsonrpc="2.0")).encode("utf-8")
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _pump(self, deadline: float) -> bool:
        """Handle one incoming message; False when the time is up or the server is gone."""
        try:
            message = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return False
        if message is None:
            self.inbox.put(None)  # keep reporting the end
            return False
        if "method" in message and "id" in message:  # a request from the server
            self.server_requests.append(message)
            handler = self.handlers.get(message["method"])
            if handler is None:
                self.send({"id": message["id"], "error": {"code": -32601, "message": "not supported"}})
            else:
                self.send({"id": message["id"], "result": handler(message.get("params"))})
        elif "method" in message:
            self.notifications.append(message)
        else:
            self.responses[message["id"]] = message
        return True

    # -- the conversation -------------------------------------------------------------------------
    def notify(self, method: str, params: Any = None) -> None:
        self.send({"method": method, **({"params": params} if params is not None else {})})

    def request(self, method: str, params: Any = None) -> Any:
        self.next_id += 1
        request_id = self.next_id
        self.send({"id": request_id, "method": method, **({"params": params} if params is not None else {})})
        deadline = time.monotonic() + TIMEOUT
        while request_id not in self.responses:
            if not self._pump(deadline):
                raise AssertionError(f"no response to {method} within {TIMEOUT} s; stderr:\n{self.stderr.decode()}")
        response = self.responses.pop(request_id)
        assert "error" not in response, response
        return response.get("result")

    def wait_for(self, predicate: Callable[[dict], bool], after: int, what: str) -> dict:
        """The first notification from index `after` on that satisfies `predicate`."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for message in self.notifications[after:]:
                if predicate(message):
                    return message
            after = len(self.notifications)
            if not self._pump(deadline):
                raise AssertionError(f"no {what} within {TIMEOUT} s; got {self.notifications!r}\n"
                                     f"stderr:\n{self.stderr.decode()}")

    def diagnostics(self, uri: str, after: int, predicate: Callable[[List[dict]], bool] = lambda d: True,
                    version: Optional[int] = None) -> List[dict]:
        message = self.wait_for(
            lambda m: m["method"] == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            and (version is None or m["params"].get("version") == version) and predicate(m["params"]["diagnostics"]),
            after, f"diagnostics for {uri}")
        return message["params"]["diagnostics"]

    def mark(self) -> int:
        return len(self.notifications)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)


def codes(diagnostics: List[dict]) -> List[str]:
    return sorted(d["code"] for d in diagnostics)


def engine_findings(path: Path, text: str):
    """What ddblint itself reports for `text` at `path` (to compare the server with)."""
    config.clear_cache()
    table_registry.registry_for.cache_clear()
    settings = config.settings_for(path, registry.defaults())
    rules = engine.rules_for(path, settings, registry.all_rules())
    return settings, rules, engine.check_source(text.encode("utf-8"), path, str(path), settings, rules).diagnostics


@pytest.fixture
def workspace(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(CONFIG.format(extra=""), encoding="utf-8")
    # on disk the module is harmless: the server must lint the editor's text, not the file
    (root / "app.py").write_text("import boto3\n", encoding="utf-8")
    (root / "reads.py").write_text("import boto3\n", encoding="utf-8")
    yield root
    config.clear_cache()
    table_registry.registry_for.cache_clear()


@pytest.mark.slow
def test_lsp_conversation_over_stdio(workspace):
    client = Client(workspace)
    try:
        _conversation(client, workspace)
    finally:
        client.close()
    assert client.garbage == [], f"standard output carried more than the protocol: {client.garbage!r}"
    assert client.eof.is_set()


def _conversation(client: Client, root: Path) -> None:
    app_uri = (root / "app.py").as_uri()
    reads_uri = (root / "reads.py").as_uri()
    config_uri = (root / "pyproject.toml").as_uri()

    result = client.request("initialize", {
        "processId": os.getpid(),
        "rootUri": root.as_uri(),
        "workspaceFolders": [{"uri": root.as_uri(), "name": "project"}],
        "capabilities": {
            "general": {"positionEncodings": ["utf-16"]},
            "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}, "workspaceEdit": {}},
            "textDocument": {
                "synchronization": {"didSave": True},
                "publishDiagnostics": {"versionSupport": True, "codeDescriptionSupport": True},
                "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {
                    "valueSet": ["quickfix", "source", "source.fixAll"]}}},
            },
        },
    })
    capabilities = result["capabilities"]
    assert result["serverInfo"]["name"] == "ddblint"
    assert capabilities.get("positionEncoding", "utf-16") == "utf-16"
    assert {"quickfix", "source.fixAll.ddblint"} <= set(capabilities["codeActionProvider"]["codeActionKinds"])
    assert capabilities["textDocumentSync"]["openClose"] is True

    client.notify("initialized", {})
    # the server asks to be told about configuration files changing
    deadline = time.monotonic() + TIMEOUT
    while not any(r["method"] == "client/registerCapability" for r in client.server_requests):
        assert client._pump(deadline), "the server did not register file watchers"
    registration = next(r for r in client.server_requests if r["method"] == "client/registerCapability")
    (entry,) = registration["params"]["registrations"]
    assert entry["method"] == "workspace/didChangeWatchedFiles"
    assert "**/pyproject.toml" in [w["globPattern"] for w in entry["registerOptions"]["watchers"]]

    # -- didOpen: DDB101 at the call, in UTF-16 columns ------------------------------------------------
    mark = client.mark()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": app_uri, "languageId": "python", "version": 1, "text": APP}})
    diagnostics = client.diagnostics(app_uri, mark, version=1)
    assert codes(diagnostics) == ["DDB101"]
    (ddb101,) = diagnostics
    call = BLIND_LINE.index("table.update_item(")
    assert ddb101["range"] == {"start": {"line": BLIND_ROW, "character": utf16(BLIND_LINE[:call])},
                               "end": {"line": BLIND_ROW, "character": utf16(BLIND_LINE)}}
    assert utf16(BLIND_LINE[:call]) == call + 1  # the emoji before the call counts two
    assert ddb101["severity"] == 2  # Warning
    assert ddb101["source"] == "ddblint"
    assert ddb101["codeDescription"]["href"] == registry.all_rules()["DDB101"].url()
    assert ddb101["message"]
    # the same finding the command line reports
    _, _, expected = engine_findings(root / "app.py", APP)
    assert [(d.code, d.message) for d in expected] == [("DDB101", ddb101["message"])]

    # -- codeAction: "Disable DDB101 for this line" (and a quick fix if the finding has one) --------
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": app_uri}, "range": ddb101["range"],
        "context": {"diagnostics": [ddb101]}})
    titles = [a["title"] for a in actions]
    disable = next(a for a in actions if a["title"] == "Disable DDB101 for this line")
    assert disable["kind"] == "quickfix"
    assert disable["diagnostics"][0]["code"] == "DDB101"
    (noqa_edit,) = disable["edit"]["changes"][app_uri]
    end_of_line = {"line": BLIND_ROW, "character": utf16(BLIND_LINE)}
    assert noqa_edit == {"range": {"start": end_of_line, "end": end_of_line}, "newText": "  # noqa: DDB101"}
    has_fix = expected[0].fix is not None and bool(expected[0].fix.edits)
    assert any(t.startswith("ddblint (DDB101)") for t in titles) == has_fix, titles
    assert any(a["kind"] == "source.fixAll.ddblint" for a in actions) == any(fix.applicable(d, False) for d in expected)
    # a range elsewhere in the document offers nothing
    assert client.request("textDocument/codeAction", {
        "textDocument": {"uri": app_uri}, "range": {"start": {"line": 0, "character": 0},
                                                     "end": {"line": 0, "character": 3}},
        "context": {"diagnostics": []}}) == []

    # -- apply the edit, didChange with the new text: the finding is gone ---------------------------
    suppressed = apply_text_edits(APP, [noqa_edit])
    assert suppressed.splitlines()[BLIND_ROW] == BLIND_LINE + "  # noqa: DDB101"
    mark = client.mark()
    client.notify("textDocument/didChange", {"textDocument": {"uri": app_uri, "version": 2},
                                             "contentChanges": [{"text": suppressed}]})
    assert client.diagnostics(app_uri, mark, version=2) == []

    # an incremental change that removes the comment again (UTF-16 range): DDB101 is back
    mark = client.mark()
    start = {"line": BLIND_ROW, "character": utf16(BLIND_LINE)}
    end = {"line": BLIND_ROW, "character": utf16(BLIND_LINE) + len("  # noqa: DDB101")}
    client.notify("textDocument/didChange", {"textDocument": {"uri": app_uri, "version": 3},
                                             "contentChanges": [{"range": {"start": start, "end": end}, "text": ""}]})
    assert codes(client.diagnostics(app_uri, mark, version=3)) == ["DDB101"]

    # -- a second document: DDB301, its quick fix if it has one, and fix-all ------------------------
    mark = client.mark()
    client.notify("textDocument/didOpen", {"textDocument": {
        "uri": reads_uri, "languageId": "python", "version": 1, "text": READS}})
    reads = client.diagnostics(reads_uri, mark, version=1)
    _check_fix_actions(client, root / "reads.py", reads_uri, READS, reads)

    # -- the configuration changes: ignore = ["DDB101"] ---------------------------------------------
    (root / "pyproject.toml").write_text(CONFIG.format(extra='ignore = ["DDB101"]\n'), encoding="utf-8")
    mark = client.mark()
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config_uri, "type": 2}]})
    assert client.diagnostics(app_uri, mark) == []

    # -- a broken configuration: an error message, no crash, no diagnostics -------------------------
    (root / "pyproject.toml").write_text(CONFIG.format(extra='ignore = ["DDB9999"]\n'), encoding="utf-8")
    mark = client.mark()
    client.notify("workspace/didChangeWatchedFiles", {"changes": [{"uri": config_uri, "type": 2}]})
    message = client.wait_for(lambda m: m["method"] == "window/showMessage", mark, "window/showMessage")
    assert message["params"]["type"] == 1  # Error
    assert "pyproject.toml" in message["params"]["message"] and "DDB9999" in message["params"]["message"]
    assert client.diagnostics(app_uri, mark) == []
    assert client.request("textDocument/codeAction", {
        "textDocument": {"uri": app_uri}, "range": ddb101["range"], "context": {"diagnostics": []}}) == []

    # -- corrected and saved in the editor: the findings come back ----------------------------------
    (root / "pyproject.toml").write_text(CONFIG.format(extra=""), encoding="utf-8")
    mark = client.mark()
    client.notify("textDocument/didSave", {"textDocument": {"uri": config_uri}})
    assert codes(client.diagnostics(app_uri, mark, predicate=bool)) == ["DDB101"]

    # -- didClose clears the document's diagnostics ---------------------------------------------------
    mark = client.mark()
    client.notify("textDocument/didClose", {"textDocument": {"uri": reads_uri}})
    assert client.diagnostics(reads_uri, mark, predicate=lambda d: d == []) == []

    # -- shutdown, exit: the process ends with code 0 -----------------------------------------------
    assert client.request("shutdown") is None
    client.notify("exit")
    client.process.stdin.close()
    assert client.process.wait(timeout=TIMEOUT) == 0, client.stderr.decode()
    assert client.eof.wait(TIMEOUT)
    assert "Traceback" not in client.stderr.decode(errors="replace"), client.stderr.decode(errors="replace")


def _check_fix_actions(client: Client, path: Path, uri: str, text: str, diagnostics: List[dict]) -> None:
    """Every fix ddblint has for `text` is offered as a quick fix whose edit gives what `--fix`
    gives, and fix-all is offered exactly when a safe fix exists. (DDB301's finding has no fix
    yet; then only "Disable DDB301 for this line" is offered.)"""
    settings, rules, expected = engine_findings(path, text)
    assert codes(diagnostics) == sorted(d.code for d in expected) == ["DDB301"]
    for finding, diagnostic in zip(sorted(expected, key=lambda d: d.code), sorted(diagnostics, key=lambda d: d["code"])):
        actions = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}})
        assert f"Disable {finding.code} for this line" in [a["title"] for a in actions]
        quick = [a for a in actions if a["title"].startswith(f"ddblint ({finding.code})")]
        if finding.fix is not None and finding.fix.edits and finding.fix.applicability != "display-only":
            (action,) = quick
            assert action["kind"] == "quickfix"
            fixed = apply_text_edits(text, action["edit"]["changes"][uri])
            assert fixed == fix.apply_edits(text, [finding], unsafe=True)[0]
        else:
            assert quick == []
    fix_all = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert all(a["kind"] == "source.fixAll.ddblint" for a in fix_all)
    if any(fix.applicable(d, False) for d in expected):
        (action,) = fix_all
        result = fix.fix_source(text, lambda t: engine.check_source(t.encode(), path, str(path), settings, rules).diagnostics,
                                unsafe=False)
        assert apply_text_edits(text, action["edit"]["changes"][uri]) == result.source
    else:
        assert fix_all == []


@pytest.mark.slow
def test_exit_without_shutdown_is_code_1(tmp_path):
    # main() returns the code LSP asks for: 1 when `exit` comes without `shutdown`
    client = Client(tmp_path, "import sys; from ddblint.server import main; sys.exit(main())")
    try:
        client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        client.notify("initialized", {})
        client.notify("exit")
        assert client.process.wait(timeout=TIMEOUT) == 1  # even with standard input still open
    finally:
        client.close()
    assert client.garbage == []


def _initialize(client: Client, root: Path, encodings: List[str]) -> dict:
    result = client.request("initialize", {"processId": None, "rootUri": root.as_uri(),
                                           "capabilities": {"general": {"positionEncodings": encodings}}})
    client.notify("initialized", {})
    return result


def _open_app(client: Client, root: Path) -> Tuple[str, List[dict]]:
    """Open app.py with the text APP: its uri and the diagnostics of that first version."""
    uri = (root / "app.py").as_uri()
    mark = client.mark()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                            "text": APP}})
    return uri, client.diagnostics(uri, mark, version=1)


def _shutdown(client: Client) -> None:
    assert client.request("shutdown") is None
    client.notify("exit")
    assert client.process.wait(timeout=TIMEOUT) == 0, client.stderr.decode()
    assert client.eof.wait(TIMEOUT)
    assert client.garbage == [], client.garbage


@pytest.mark.slow
def test_utf8_position_encoding_when_the_client_prefers_it(workspace):
    client = Client(workspace)
    try:
        assert _initialize(client, workspace, ["utf-8", "utf-16"])["capabilities"]["positionEncoding"] == "utf-8"
        uri, (diagnostic,) = _open_app(client, workspace)
        call = BLIND_LINE.index("table.update_item(")
        assert diagnostic["range"]["start"] == {"line": BLIND_ROW, "character": len(BLIND_LINE[:call].encode())}
        assert diagnostic["range"]["end"] == {"line": BLIND_ROW, "character": len(BLIND_LINE.encode())}
        _shutdown(client)
    finally:
        client.close()


@pytest.mark.slow
def test_stray_output_goes_to_stderr_not_the_protocol(workspace):
    # a print (or a C extension writing to file descriptor 1) while linting must not corrupt the stream
    code = ("import os, ddblint.server as s\n"
            "lint = s.DdblintServer.lint\n"
            "def noisy(*args):\n"
            "    print('noise from print')\n"
            "    os.write(1, b'noise from fd 1\\n')\n"
            "    return lint(*args)\n"
            "s.DdblintServer.lint = noisy\n"
            "s.main()\n")
    client = Client(workspace, code)
    try:
        _initialize(client, workspace, ["utf-16"])
        uri, opened = _open_app(client, workspace)
        assert codes(opened) == ["DDB101"]
        _shutdown(client)
    finally:
        client.close()
    assert b"noise from print" in client.stderr and b"noise from fd 1" in client.stderr


@pytest.mark.slow
def test_quick_fix_and_fix_all_actions(workspace):
    # Whatever rules have fixes today, the server's side is checked with a fix injected into
    # DDB101's findings: replace the call (after an emoji, containing two) with `None`.
    code = ("import dataclasses, ddblint.server as s\n"
            "from ddblint.diagnostics import Edit, Fix\n"
            "lint = s.DdblintServer.lint\n"
            "def with_fix(*args):\n"
            "    outcome = lint(*args)\n"
            "    outcome.diagnostics = [dataclasses.replace(d, fix=Fix('Replace the call with None', 'safe',\n"
            "                                           (Edit('None', d.location, d.end_location),)))\n"
            "            if d.code == 'DDB101' else d for d in outcome.diagnostics]\n"
            "    return outcome\n"
            "s.DdblintServer.lint = with_fix\n"
            "s.main()\n")
    client = Client(workspace, code)
    try:
        _initialize(client, workspace, ["utf-16"])
        uri, (diagnostic,) = _open_app(client, workspace)
        call = BLIND_LINE.index("table.update_item(")
        expected = APP.replace(BLIND_LINE, BLIND_LINE[:call] + "None")

        cursor = {"start": {"line": BLIND_ROW, "character": 30}, "end": {"line": BLIND_ROW, "character": 30}}
        actions = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": cursor, "context": {"diagnostics": [diagnostic]}})
        by_title = {a["title"]: a for a in actions}
        quick = by_title["ddblint (DDB101): Replace the call with None"]
        assert quick["kind"] == "quickfix" and quick["isPreferred"] is True
        assert quick["diagnostics"][0]["range"] == diagnostic["range"]
        assert apply_text_edits(APP, quick["edit"]["changes"][uri]) == expected
        assert "Disable DDB101 for this line" in by_title
        fix_all = by_title["ddblint: Fix all auto-fixable problems"]
        assert fix_all["kind"] == "source.fixAll.ddblint"
        assert apply_text_edits(APP, fix_all["edit"]["changes"][uri]) == expected

        # `only` filters by kind, hierarchically
        only_fix_all = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": cursor,
            "context": {"diagnostics": [], "only": ["source"]}})
        assert [a["kind"] for a in only_fix_all] == ["source.fixAll.ddblint"]
        only_quick = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": cursor,
            "context": {"diagnostics": [], "only": ["quickfix"]}})
        assert {a["kind"] for a in only_quick} == {"quickfix"} and len(only_quick) == 2

        # the fix applied by the editor: nothing left to report
        mark = client.mark()
        changes = [{"range": e["range"], "text": e["newText"]} for e in quick["edit"]["changes"][uri]]
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                                 "contentChanges": changes})
        assert client.diagnostics(uri, mark, version=2) == []
        _shutdown(client)
    finally:
        client.close()


@pytest.mark.slow
def test_a_burst_of_changes_is_linted_twice_and_published_for_its_last_version(workspace):
    # The burst's first change starts a lint at once; once it runs, the rest of the burst comes,
    # and the server holds that lint (in the lint thread) until the burst's last change is in, so
    # every other change arrives while a lint runs. They must be coalesced into one more lint, of
    # the newest text, and only that version's diagnostics published: none for the versions in
    # between, nothing stale. Lints for publishing run with the garbage collector held off; it
    # runs after the publication.
    last = 8
    code = ("import gc, re, time, ddblint.server as s\n"
            "lint = s.DdblintServer.lint\n"
            "def gated(self, text, path):\n"
            "    burst = re.search(r'# burst (\\d+)', text)\n"
            "    print('linting', burst.group(1) if burst else 'open', 'gc', gc.isenabled(), flush=True)  # stderr\n"
            "    deadline = time.monotonic() + 10\n"
            "    while burst and time.monotonic() < deadline and not any(\n"
            f"            d.version == {last} for d in list(self.ls.workspace.text_documents.values())):\n"
            "        time.sleep(0.01)\n"
            "    return lint(self, text, path)\n"
            "s.DdblintServer.lint = gated\n"
            "collect = s.DdblintServer.collect_garbage\n"
            "def collect_garbage(self):\n"
            "    print('collecting', flush=True)\n"
            "    collect(self)\n"
            "s.DdblintServer.collect_garbage = collect_garbage\n"
            "s.main()\n")
    suppressed = APP.replace(BLIND_LINE, BLIND_LINE + "  # noqa: DDB101")
    client = Client(workspace, code)
    try:
        _initialize(client, workspace, ["utf-16"])
        uri, opened = _open_app(client, workspace)
        assert codes(opened) == ["DDB101"]
        mark = client.mark()
        for version in range(2, last + 1):  # odd versions have the finding, even ones suppress it
            text = (APP if version % 2 else suppressed) + f"# burst {version}\n"
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                     "contentChanges": [{"text": text}]})
            deadline = time.monotonic() + TIMEOUT
            while version == 2 and b"linting 2 " not in client.stderr:  # the burst's first lint runs
                assert time.monotonic() < deadline, client.stderr.decode()
                time.sleep(0.01)
        assert client.diagnostics(uri, mark, version=last) == []  # the last text's: suppressed
        _shutdown(client)  # every publish sent before the answer to shutdown has been read
    finally:
        client.close()
    published = [m["params"].get("version") for m in client.notifications[mark:]
                 if m["method"] == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]
    assert published == [last]
    lints = [line for line in client.stderr.decode().splitlines() if line.startswith(("linting ", "collecting"))]
    # (the burst's own collection may be cut short by the shutdown)
    assert lints[:4] == ["linting open gc False", "collecting", "linting 2 gc False", f"linting {last} gc False"]
    assert len([line for line in lints if line.startswith("linting ")]) == 3


# --- the helpers the server is built from ------------------------------------------------------------


def test_positions_count_utf16_units():
    text = 'x = "😀"; y = 1\nz = "é"\n'
    document = server.Document(text)
    assert document.position(Location(1, 10)) == (0, 10)  # after the emoji: one more unit
    assert document.position(Location(2, 8)) == (1, 7)  # é is one unit
    assert document.position(Location(3, 1)) == (2, 0)
    assert document.position(Location(9, 1)) == document.end() == (2, 0)  # past the end: clamped
    assert server.Document(text, "utf-32").position(Location(1, 10)) == (0, 9)
    assert server.Document(text, "utf-8").position(Location(1, 10)) == (0, 12)
    assert server.Document("a\r\nb\rc").position(Location(3, 2)) == (2, 1)


def test_positions_after_a_byte_order_mark():
    # the engine drops the BOM: its columns on line 1 are one less than the editor's
    document = server.Document("\ufeffx = 1\ny = 2\n")
    assert document.position(Location(1, 1)) == (0, 1)
    assert document.position(Location(2, 1)) == (1, 0)


def test_engine_bytes_follow_a_coding_cookie():
    text = "# -*- coding: latin-1 -*-\nname = 'é'\n"
    assert parsing.decode(server.encode_for_engine(text)) == text
    assert server.encode_for_engine("x = 'é'\n") == "x = 'é'\n".encode("utf-8")


@pytest.mark.parametrize("line, expected", [
    ("table.update_item(Key=k)", "table.update_item(Key=k)  # noqa: DDB101"),
    ("table.update_item(Key=k)   ", "table.update_item(Key=k)  # noqa: DDB101"),
    ("table.update_item(Key=k)  # why", "table.update_item(Key=k)  # why  # noqa: DDB101"),
    ("table.update_item(Key=k)  # noqa: E501", "table.update_item(Key=k)  # noqa: E501, DDB101"),
    ("table.update_item(Key=k)  # noqa:E501,DDB102 - reason", "table.update_item(Key=k)  # noqa:E501,DDB102, DDB101 - reason"),
    ("s = '#'; table.update_item(Key='😀')", "s = '#'; table.update_item(Key='😀')  # noqa: DDB101"),
])
def test_noqa_edit(line, expected):
    source = f"import boto3\n{line}\nx = 1\n"
    edit = server.noqa_edit(source, 2, "DDB101")
    assert edit is not None
    document = server.Document(source)
    fixed = "".join([source[:_offset(document, edit.location)], edit.content, source[_offset(document, edit.end_location):]])
    assert fixed == f"import boto3\n{expected}\nx = 1\n"
    assert noqa.parse(fixed).suppresses("DDB101", 2)


@pytest.mark.parametrize("source", [
    "x = 1  # noqa\n",  # a bare noqa suppresses everything already
    "x = 1  # noqa: DDB101\n",
    'x = """a\nb"""\n',  # the line ends inside a string: no comment can go there
    "x = 1 + \\\n    2\n",  # a backslash continuation
])
def test_no_noqa_edit_where_none_can_go(source):
    assert server.noqa_edit(source, 1, "DDB101") is None


def _offset(document: server.Document, location: Location) -> int:
    return document.starts[location.row - 1] + location.column - 1


def test_minimal_edit_keeps_crlf_whole():
    assert server.minimal_edit("a\r\nb", "a\r\nb") is None
    assert server.minimal_edit("abc", "aXc") == (1, 2, "X")
    start, end, content = server.minimal_edit("a\r\nb", "a\nb")
    assert "a\r\nb"[:start] + content + "a\r\nb"[end:] == "a\nb"
    assert "a\r\nb"[start:end] == "\r\n"


def test_quick_fix_edits_are_converted_to_utf16():
    document = server.Document('q(k="😀", ConsistentRead=True)\n')
    edit = Edit("", Location(1, 8), Location(1, 29))  # `, ConsistentRead=True`
    assert document.edits([edit]) == [((0, 8), (0, 29), "")]
