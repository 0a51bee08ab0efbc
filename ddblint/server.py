"""`ddblint server`: a language server (LSP over standard input and output) built on pygls 2.

What it offers an editor:

* diagnostics pushed (`textDocument/publishDiagnostics`) when a document is opened, changed
  (debounced) or saved, from the editor's text rather than the file on disk; `code` is the rule
  code, linked to its documentation; DDB000 (a file ddblint cannot analyse) is an error, every
  other finding a warning;
* code actions: a quick fix per finding that carries a fix, "Disable DDBxxx for this line" (adds
  or extends the `# noqa` comment of the row that suppresses the finding) and
  `source.fixAll.ddblint`, which applies every safe fix as `ddblint check --fix` would;
* configuration from the nearest `.ddblint.toml`/`ddblint.toml`/`pyproject.toml`, as on the
  command line, reloaded when one of those changes (`workspace/didChangeWatchedFiles`, for which
  the server registers watchers when the client allows it, or a save in the editor). A
  configuration error is shown with `window/showMessage` and the affected documents get no
  diagnostics until it is corrected.

Standard output carries the protocol and nothing else: `main` keeps a private duplicate of it for
pygls and points file descriptor 1 and `sys.stdout` at standard error, so a stray `print` (or a C
extension writing to fd 1) cannot corrupt the stream. Logs go to standard error;
`DDBLINT_LOG_LEVEL` (`debug`, `info`, ...; default `warning`) sets how much.

pygls is an optional dependency (`pip install "ddblint[lsp]"`), imported only when the server is
built; the position and edit helpers at the top of this module need nothing but ddblint.
"""
from __future__ import annotations

import asyncio
import bisect
import codecs
import importlib
import io
import logging
import os
import re
import sys
import tokenize
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ddblint import __version__
from ddblint.config import CONFIG_FILES
from ddblint.diagnostics import Diagnostic, Edit, Location
from ddblint.noqa import noqa_edit

log = logging.getLogger("ddblint.server")

NAME = "ddblint"
SOURCE = "ddblint"
FIX_ALL_KIND = "source.fixAll.ddblint"
DEBOUNCE_SECONDS = 0.3
PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_GLOBS = tuple(f"**/{name}" for name in CONFIG_FILES)

_NEWLINE = re.compile(r"\r\n?|\n")  # Python's (and LSP's) line breaks, as positions.py counts them

# (line, character): an LSP position, 0-based, `character` in the negotiated encoding's units
ClientPosition = Tuple[int, int]
ClientEdit = Tuple[ClientPosition, ClientPosition, str]


# --- positions ---------------------------------------------------------------------------------


def _units_counter(encoding: str):
    encoding = (encoding or "utf-16").lower()
    if encoding == "utf-32":
        return len
    if encoding == "utf-8":
        return lambda text: len(text.encode("utf-8", "surrogatepass"))
    # UTF-16, LSP's default: a character outside the Basic Multilingual Plane is two units
    return lambda text: len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


class Document:
    """A document's text as ddblint saw it, converting ddblint's positions (1-based rows,
    1-based code-point columns) and offsets to LSP positions.

    ddblint lints the text without a leading byte order mark (`engine.decode` drops it), so on
    the first line its columns are one less than the editor's when the text starts with one."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.bom = 1 if text.startswith("\ufeff") else 0
        self.body = text[self.bom:]  # what the engine lints
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(self.body)]
        self.units = _units_counter(encoding)

    def line(self, index: int) -> str:
        """Line `index` (0-based) of the body, without its line break."""
        start = self.starts[index]
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.body)
        return self.body[start:end].rstrip("\r\n")

    def position(self, location: Location) -> ClientPosition:
        """The LSP position of a ddblint location (past the last line: the end of the text)."""
        index = location.row - 1
        if index >= len(self.starts):
            return self.end()
        index = max(index, 0)
        line = self.line(index)
        column = min(max(location.column - 1, 0), len(line))
        prefix = line[:column]
        if index == 0 and self.bom:
            prefix = "\ufeff" + prefix
        return index, self.units(prefix)

    def end(self) -> ClientPosition:
        index = len(self.starts) - 1
        return index, self.units(("\ufeff" if index == 0 and self.bom else "") + self.line(index))

    def location(self, offset: int) -> Location:
        """The ddblint location of a character offset into the body."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return Location(index + 1, offset - self.starts[index] + 1)

    def edits(self, edits: Sequence[Edit]) -> List[ClientEdit]:
        return [(self.position(e.location), self.position(e.end_location), e.content) for e in edits]

    def range(self, diagnostic: Diagnostic) -> Tuple[ClientPosition, ClientPosition]:
        return self.position(diagnostic.location), self.position(diagnostic.end_location)


# --- edits -------------------------------------------------------------------------------------


def minimal_edit(old: str, new: str) -> Optional[Tuple[int, int, str]]:
    """One replacement (start, end, content) of `old` that gives `new`, as small as a common
    prefix and suffix make it, never splitting a `\\r\\n`; None when they are equal."""
    if old == new:
        return None
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    if 0 < start and old[start - 1:start + 1] == "\r\n":
        start -= 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    if end and old[len(old) - end - 1:len(old) - end + 1] == "\r\n":
        end -= 1
    return start, len(old) - end, new[start:len(new) - end]


# --- linting -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What linting one document gave."""

    diagnostics: List[Diagnostic] = field(default_factory=list)
    config_error: Optional[str] = None  # the configuration cannot be used: no diagnostics
    settings: object = None
    rules: Sequence[type] = ()
    path: Optional[Path] = None


def encode_for_engine(text: str) -> bytes:
    """The bytes the engine reads back as `text`: UTF-8, or the encoding a coding cookie names."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if codecs.lookup(encoding).name != "utf-8":
            return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError, ValueError):
        pass
    return data


def lint(text: str, path: Path, display: Optional[str] = None) -> Outcome:
    """Lint the editor's `text` of the file at `path` with the configuration that applies there."""
    from ddblint import config, engine, files, registry

    outcome = Outcome(path=path)
    try:
        settings = config.settings_for(path, registry.defaults())
    except Exception as error:  # noqa: BLE001 - a ConfigError, or a file that cannot be read
        outcome.config_error = f"ddblint: configuration error: {error}"
        return outcome
    if files.excluded_explicitly(path, False, settings):
        return outcome  # excluded in the configuration, as `--force-exclude` does for editors
    outcome.settings = settings
    outcome.rules = engine.rules_for(path, settings, registry.all_rules())
    outcome.diagnostics = _check(text, path, display or str(path), settings, outcome.rules)
    return outcome


def _check(text: str, path: Path, display: str, settings, rules) -> List[Diagnostic]:
    from ddblint import engine

    try:
        result = engine.check_source(encode_for_engine(text), path, display, settings, rules)
    except Exception:  # noqa: BLE001 - a bug of ours must not take the server down
        log.exception("internal error while checking %s", display)
        return []
    for error in result.errors:
        log.error("%s", error)
    return sorted(result.diagnostics, key=Diagnostic.sort_key)


def fix_all(text: str, outcome: Outcome) -> Optional[str]:
    """The linted body of `text` (without a byte order mark) with every safe fix applied, in
    rounds as `ddblint check --fix` does; None if there is nothing to fix."""
    from ddblint import fix

    if outcome.settings is None or not any(fix.applicable(d, False) for d in outcome.diagnostics):
        return None
    body = Document(text).body
    display = str(outcome.path)
    result = fix.fix_source(body, lambda source: _check(source, outcome.path, display, outcome.settings,
                                                        outcome.rules), unsafe=False)
    if result.error:
        log.warning("%s: %s", display, result.error)
    return None if result.source == body else result.source


def clear_caches() -> None:
    """Forget every loaded configuration and table registry (a configuration file changed)."""
    from ddblint import config
    from ddblint.dynamo import table_registry

    config.clear_cache()
    table_registry.registry_for.cache_clear()


# --- the server --------------------------------------------------------------------------------


def is_config_uri(uri: str) -> bool:
    return uri.rstrip("/").rsplit("/", 1)[-1] in CONFIG_FILES


def create_server(debounce: float = DEBOUNCE_SECONDS):
    """The pygls `LanguageServer`, with ddblint's features registered (not started)."""
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    server = LanguageServer(NAME, __version__)
    # One thread lints, in order: the engine's caches are not meant for concurrent use, and
    # configuration reloads queue behind the lints already running.
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ddblint-lint")
    pending: Dict[str, asyncio.Future] = {}
    results: Dict[str, Tuple[str, Outcome]] = {}  # uri -> (text linted, outcome)
    shown: set = set()  # configuration errors shown since the last reload
    state = {"shutdown": False}
    server.ddblint_state = state  # for main(): whether `shutdown` came before `exit`
    server.ddblint_executor = executor

    def encoding() -> str:
        negotiated = server.workspace.position_encoding or "utf-16"
        return str(getattr(negotiated, "value", negotiated))  # an lsprotocol enum, or a plain string

    def open_document(uri: str):
        return server.workspace.text_documents.get(uri)

    def path_of(uri: str) -> Path:
        fs_path = to_fs_path(uri)
        if fs_path:
            return Path(os.path.abspath(fs_path))
        # untitled:Untitled-1 and the like: configured from the workspace root
        root = server.workspace.root_path or os.getcwd()
        name = re.sub(r"[^\w.-]", "_", uri.rsplit("/", 1)[-1].rsplit(":", 1)[-1]) or "untitled"
        return Path(os.path.abspath(root)) / (name if name.endswith(PYTHON_SUFFIXES) else name + ".py")

    def is_python(document) -> bool:
        return document.language_id == "python" or (
            not document.language_id and document.uri.endswith(PYTHON_SUFFIXES))

    def to_lsp_range(start: ClientPosition, end: ClientPosition):
        return lsp.Range(start=lsp.Position(line=start[0], character=start[1]),
                         end=lsp.Position(line=end[0], character=end[1]))

    def to_lsp(document: Document, diagnostic: Diagnostic):
        return lsp.Diagnostic(
            range=to_lsp_range(*document.range(diagnostic)),
            message=diagnostic.message,
            severity=lsp.DiagnosticSeverity.Error if diagnostic.code == "DDB000" else lsp.DiagnosticSeverity.Warning,
            code=diagnostic.code,
            code_description=lsp.CodeDescription(href=diagnostic.url) if diagnostic.url else None,
            source=SOURCE,
        )

    def show_config_error(message: str) -> None:
        if message not in shown:
            log.error("%s", message)
            shown.add(message)
            server.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=message))

    async def run(function, *args):
        return await asyncio.get_running_loop().run_in_executor(executor, function, *args)

    async def outcome_for(uri: str, text: str) -> Outcome:
        cached = results.get(uri)
        if cached is not None and cached[0] == text:
            return cached[1]
        return await run(lint, text, path_of(uri))

    async def publish(uri: str) -> None:
        document = open_document(uri)
        if document is None or not is_python(document):
            return
        text, version = document.source, document.version
        outcome = await run(lint, text, path_of(uri))
        current = open_document(uri)
        if current is None or current.version != version or current.source != text:
            return  # changed while linting: a newer lint is on its way
        results[uri] = (text, outcome)
        if outcome.config_error:
            show_config_error(outcome.config_error)
        converter = Document(text, encoding())
        server.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=[to_lsp(converter, d) for d in outcome.diagnostics]))

    async def later(uri: str, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            await publish(uri)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001
            log.exception("cannot lint %s", uri)
        finally:
            if pending.get(uri) is asyncio.current_task():
                del pending[uri]

    def schedule(uri: str, delay: float = 0.0) -> None:
        if state["shutdown"]:
            return
        previous = pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        pending[uri] = asyncio.ensure_future(later(uri, delay))

    async def reload() -> None:
        log.info("configuration changed: reloading")
        await run(clear_caches)
        shown.clear()
        results.clear()
        for uri in list(server.workspace.text_documents):
            schedule(uri)

    async def register_watchers() -> None:
        options = lsp.DidChangeWatchedFilesRegistrationOptions(
            watchers=[lsp.FileSystemWatcher(glob_pattern=glob) for glob in CONFIG_GLOBS])
        try:
            await server.client_register_capability_async(lsp.RegistrationParams(registrations=[lsp.Registration(
                id="ddblint-configuration", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options)]))
        except Exception as error:  # noqa: BLE001 - the client said no: saves in the editor still reload
            log.warning("cannot watch configuration files: %s", error)

    @server.feature(lsp.INITIALIZED)
    def initialized(ls, params: lsp.InitializedParams) -> None:
        capabilities = ls.client_capabilities
        watched = capabilities.workspace and capabilities.workspace.did_change_watched_files
        if watched and watched.dynamic_registration:
            asyncio.ensure_future(register_watchers())

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: lsp.DidOpenTextDocumentParams) -> None:
        schedule(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: lsp.DidChangeTextDocumentParams) -> None:
        schedule(params.text_document.uri, debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
    async def did_save(ls, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if is_config_uri(uri):
            await reload()
            return
        schedule(uri)
        # other open documents may import what was saved (ddblint follows project imports on disk)
        for other in list(ls.workspace.text_documents):
            if other != uri and other not in pending:
                schedule(other, debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = pending.pop(uri, None)
        if task is not None:
            task.cancel()
        results.pop(uri, None)
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls, params: lsp.DidChangeWatchedFilesParams) -> None:
        if any(is_config_uri(change.uri) for change in params.changes):
            await reload()

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False))
    async def code_action(ls, params: lsp.CodeActionParams):
        uri = params.text_document.uri
        document = open_document(uri)
        if document is None or not is_python(document):
            return None
        text = document.source
        outcome = await outcome_for(uri, text)
        if outcome.config_error:
            show_config_error(outcome.config_error)
            return []
        only = list(params.context.only or [])

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

        converter = Document(text, encoding())
        wanted_range = ((params.range.start.line, params.range.start.character),
                        (params.range.end.line, params.range.end.character))

        def workspace_edit(edits: List[ClientEdit]):
            return lsp.WorkspaceEdit(changes={uri: [
                lsp.TextEdit(range=to_lsp_range(start, end), new_text=content) for start, end, content in edits]})

        actions = []
        if wanted(lsp.CodeActionKind.QuickFix):
            fixes, disables = [], []
            for diagnostic in outcome.diagnostics:
                start, end = converter.range(diagnostic)
                if start > wanted_range[1] or wanted_range[0] > end:
                    continue
                lsp_diagnostic = to_lsp(converter, diagnostic)
                found_fix = diagnostic.fix
                if found_fix is not None and found_fix.edits and found_fix.applicability in ("safe", "unsafe"):
                    title = f"ddblint ({diagnostic.code}): {found_fix.message}"
                    if found_fix.applicability == "unsafe":
                        title += " (unsafe)"
                    fixes.append(lsp.CodeAction(
                        title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[lsp_diagnostic],
                        is_preferred=found_fix.applicability == "safe",
                        edit=workspace_edit(converter.edits(found_fix.edits))))
                if diagnostic.noqa_row is not None:
                    edit = noqa_edit(converter.body, diagnostic.noqa_row, diagnostic.code)
                    if edit is not None:
                        disables.append(lsp.CodeAction(
                            title=f"Disable {diagnostic.code} for this line", kind=lsp.CodeActionKind.QuickFix,
                            diagnostics=[lsp_diagnostic], edit=workspace_edit(converter.edits([edit]))))
            actions += fixes
            # one per rule and line: two findings of a rule on a line share one comment
            seen = set()
            for action in disables:
                key = (action.title, action.edit.changes[uri][0].range.start.line)
                if key not in seen:
                    seen.add(key)
                    actions.append(action)
        if wanted(FIX_ALL_KIND):
            fixed = await run(fix_all, text, outcome)
            change = minimal_edit(converter.body, fixed) if fixed is not None else None
            if change is not None:
                start, end, content = change
                edit = Edit(content, converter.location(start), converter.location(end))
                actions.append(lsp.CodeAction(title="ddblint: Fix all auto-fixable problems", kind=FIX_ALL_KIND,
                                              edit=workspace_edit(converter.edits([edit]))))
        return actions

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls, *args) -> None:
        state["shutdown"] = True
        for task in pending.values():
            task.cancel()
        pending.clear()

    return server


def _protocol_streams():
    """(input, output) for the protocol: a private duplicate of standard output, while file
    descriptor 1 and `sys.stdout` are pointed at standard error."""
    sys.stdout.flush()
    try:
        output = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # no real file descriptors (embedded, captured)
        output = sys.stdout.buffer
    sys.stdout = sys.stderr
    return sys.stdin.buffer, output


def main() -> int:
    """Run the language server over standard input and output until the client says `exit`.
    Returns the exit code: 0 after `shutdown` then `exit`, 1 otherwise (as LSP asks)."""
    try:
        importlib.import_module("pygls.lsp.server")
    except ImportError:
        print('ddblint: error: `ddblint server` needs pygls 2: pip install "ddblint[lsp]"', file=sys.stderr)
        return 2
    level = logging.getLevelName(os.environ.get("DDBLINT_LOG_LEVEL", "warning").strip().upper())
    logging.basicConfig(stream=sys.stderr, level=level if isinstance(level, int) else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    stdin, stdout = _protocol_streams()
    server = create_server()
    try:
        server.start_io(stdin, stdout)
    finally:
        server.ddblint_executor.shutdown(wait=False, cancel_futures=True)
    return 0 if server.ddblint_state["shutdown"] else 1


if __name__ == "__main__":
    sys.exit(main())
