"""`ddblint server`: a language server (LSP over standard input and output) built on pygls 2.

What it offers an editor:

* diagnostics pushed (`textDocument/publishDiagnostics`) when a document is opened, changed or
  saved, from the editor's text rather than the file on disk; `code` is the rule
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

A change starts the document's lint at once when none of it is running; changes that arrive
while one runs are coalesced into one more lint, of the newest text, after it. Diagnostics are
published only for the text that is still the document's when its lint ends, so an editor never
sees a stale version's, and a burst of keystrokes costs at most two lints. Python's cyclic
garbage collector is held off while a document is linted for publishing and run once its
diagnostics are out (see `collect_garbage`), so its pauses do not land inside an edit's latency.

Standard output carries the protocol and nothing else: `main` keeps a private duplicate of it for
pygls and points file descriptor 1 and `sys.stdout` at standard error, so a stray `print` (or a C
extension writing to fd 1) cannot corrupt the stream. Logs go to standard error;
`DDBLINT_LOG_LEVEL` (`debug`, `info`, ...; default `warning`) sets how much.

pygls is an optional dependency (`pip install "ddblint[lsp]"`); without it the position and edit
helpers at the top of this module still work, and `main` says what to install.
"""
from __future__ import annotations

import asyncio
import bisect
import codecs
import gc
import io
import logging
import os
import re
import sys
import tokenize
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ddblint import __version__, config, fix, runner
from ddblint.config import CONFIG_FILES
from ddblint.diagnostics import Diagnostic, Edit, Location
from ddblint.dynamo import table_registry
from ddblint.noqa import noqa_edit
from ddblint.runner import Outcome
from ddblint.text import line_starts

try:  # pygls is optional ("ddblint[lsp]"): without it the position and edit helpers still work
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path
except ImportError:
    lsp = LanguageServer = to_fs_path = None

log = logging.getLogger("ddblint.server")

NAME = "ddblint"
SOURCE = "ddblint"
FIX_ALL_KIND = "source.fixAll.ddblint"
# Seconds a change waits before its lint starts when none is running (changes during a lint are
# coalesced whatever this is): 0, as a wait only adds to every edit's latency.
DEBOUNCE_SECONDS = 0.0
PYTHON_SUFFIXES = (".py", ".pyi")
CONFIG_GLOBS = tuple(f"**/{name}" for name in CONFIG_FILES)

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

    ddblint lints the text without a leading byte order mark (`parsing.decode` drops it), so on
    the first line its columns are one less than the editor's when the text starts with one."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.bom = 1 if text.startswith("\ufeff") else 0
        self.body = text[self.bom:]  # what the engine lints
        self.starts = line_starts(self.body)  # Python's (and LSP's) line breaks
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


def clear_caches() -> None:
    """Forget every loaded configuration and table registry (a configuration file changed)."""
    config.clear_cache()
    table_registry.registry_for.cache_clear()


def is_config_uri(uri: str) -> bool:
    return uri.rstrip("/").rsplit("/", 1)[-1] in CONFIG_FILES


# --- the server --------------------------------------------------------------------------------


class DdblintServer:
    """ddblint's language server: one method per LSP feature, its state as attributes. pygls'
    `LanguageServer` (`self.ls`) carries the protocol; `create_server` registers the methods.

    One thread lints, in order: the engine's caches are not meant for concurrent use, and
    configuration reloads queue behind the lints already running. Every lint goes through
    `runner.Linter.lint_document`, the command line's lint path with an editor's options."""

    def __init__(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        self.ls = LanguageServer(NAME, __version__)
        self.debounce = debounce
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ddblint-lint")
        self.linter = runner.Linter.for_editor()
        self.pending: Dict[str, asyncio.Future] = {}  # uri -> the task linting it (waiting, or running)
        self.again: set = set()  # uris changed since their running lint read their text
        self.results: Dict[str, Tuple[str, Outcome]] = {}  # uri -> (text linted, outcome)
        self.shown: set = set()  # configuration errors shown since the last reload
        self.shut_down = False  # `shutdown` came (before `exit`: exit code 0)
        self.frozen = False  # the long-lived objects are out of the garbage collector's way (gc.freeze)

    # -- linting, in the lint thread ---------------------------------------------------------
    def lint(self, text: str, path: Path) -> Outcome:
        """Lint the editor's `text` of the file at `path` with the configuration that applies there."""
        outcome = self.linter.lint_document(runner.Job(encode_for_engine(text), path, str(path)))
        for error in outcome.errors:  # a bug of ours on one document must not take the server down
            log.error("%s", error)
        outcome.diagnostics.sort(key=Diagnostic.sort_key)
        return outcome

    def lint_without_collection(self, text: str, path: Path) -> Outcome:
        """`lint` with the cyclic garbage collector held off. A 1,000-line module's lint allocates
        enough for some 70 young collections and, every other lint, a full one that walks every
        live object (about 100 ms), which made the slowest edits about twice as slow as the
        median. `collect_garbage` collects afterwards, once, outside the edit's latency."""
        gc.disable()
        try:
            return self.lint(text, path)
        finally:
            gc.enable()

    def collect_garbage(self) -> None:
        """The lint's cyclic garbage (about 40,000 objects of a 1,000-line module's lint), in the
        lint thread once its diagnostics are published. The first time, what is alive then (the
        modules, the rules, the project's caches) is frozen out of later collections (`gc.freeze`),
        so each takes about 10 ms instead of 100."""
        gc.collect()
        if not self.frozen:
            gc.freeze()
            self.frozen = True

    def fix_all(self, text: str, path: Path, outcome: Outcome) -> Optional[str]:
        """The linted body of `text` (without a byte order mark) with every safe fix applied, in
        rounds as `ddblint check --fix` does; None if there is nothing to fix."""
        if not any(fix.applicable(d, False) for d in outcome.diagnostics):
            return None
        body = Document(text).body
        result = fix.fix_source(body, lambda source: self.lint(source, path).diagnostics, unsafe=False)
        if result.error:
            log.warning("%s: %s", path, result.error)
        return None if result.source == body else result.source

    def reload_configuration(self) -> None:
        clear_caches()
        self.linter = runner.Linter.for_editor()
        # the caches just dropped were frozen: let the collector have them, and freeze again later
        gc.unfreeze()
        self.frozen = False

    async def in_lint_thread(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    # -- documents ---------------------------------------------------------------------------
    def encoding(self) -> str:
        negotiated = self.ls.workspace.position_encoding or "utf-16"
        return str(getattr(negotiated, "value", negotiated))  # an lsprotocol enum, or a plain string

    def open_document(self, uri: str):
        return self.ls.workspace.text_documents.get(uri)

    def path_of(self, uri: str) -> Path:
        fs_path = to_fs_path(uri)
        if fs_path:
            return Path(os.path.abspath(fs_path))
        # untitled:Untitled-1 and the like: configured from the workspace root
        root = self.ls.workspace.root_path or os.getcwd()
        name = re.sub(r"[^\w.-]", "_", uri.rsplit("/", 1)[-1].rsplit(":", 1)[-1]) or "untitled"
        return Path(os.path.abspath(root)) / (name if name.endswith(PYTHON_SUFFIXES) else name + ".py")

    @staticmethod
    def is_python(document) -> bool:
        return document.language_id == "python" or (
            not document.language_id and document.uri.endswith(PYTHON_SUFFIXES))

    async def outcome_for(self, uri: str, text: str) -> Outcome:
        cached = self.results.get(uri)
        if cached is not None and cached[0] == text:
            return cached[1]
        return await self.in_lint_thread(self.lint, text, self.path_of(uri))

    def show_config_error(self, message: str) -> None:
        if message not in self.shown:
            log.error("%s", message)
            self.shown.add(message)
            self.ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=message))

    # -- publishing diagnostics --------------------------------------------------------------
    async def publish(self, uri: str) -> None:
        document = self.open_document(uri)
        if document is None or not self.is_python(document):
            return
        text, version = document.source, document.version
        outcome = await self.in_lint_thread(self.lint_without_collection, text, self.path_of(uri))
        current = self.open_document(uri)
        if current is None or current.version != version or current.source != text:
            return  # changed while linting: a newer lint is on its way (and collects)
        self.results[uri] = (text, outcome)
        if outcome.config_error:
            self.show_config_error(outcome.config_error)
        converter = Document(text, self.encoding())
        self.ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri=uri, version=version, diagnostics=[to_lsp(converter, d) for d in outcome.diagnostics]))
        await self.in_lint_thread(self.collect_garbage)

    async def lint_until_current(self, uri: str, delay: float) -> None:
        """Lint and publish `uri`, and again as long as it changed during the lint: the task
        that `schedule` starts, one per document at a time."""
        try:
            if delay:
                await asyncio.sleep(delay)
            while True:
                self.again.discard(uri)  # changes from here on are the next round's
                try:
                    await self.publish(uri)
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - one bad lint must not stop the next
                    log.exception("cannot lint %s", uri)
                if uri not in self.again:
                    break
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]
                self.again.discard(uri)

    def schedule(self, uri: str, delay: float = 0.0) -> None:
        """Lint `uri` now, or, if its lint is already waiting or running, once more after it
        (however many changes come meanwhile)."""
        if self.shut_down:
            return
        if uri in self.pending:
            self.again.add(uri)
            return
        self.pending[uri] = asyncio.ensure_future(self.lint_until_current(uri, delay))

    async def reload(self) -> None:
        log.info("configuration changed: reloading")
        await self.in_lint_thread(self.reload_configuration)
        self.shown.clear()
        self.results.clear()
        for uri in list(self.ls.workspace.text_documents):
            self.schedule(uri)

    async def register_watchers(self) -> None:
        options = lsp.DidChangeWatchedFilesRegistrationOptions(
            watchers=[lsp.FileSystemWatcher(glob_pattern=glob) for glob in CONFIG_GLOBS])
        try:
            await self.ls.client_register_capability_async(lsp.RegistrationParams(registrations=[lsp.Registration(
                id="ddblint-configuration", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options)]))
        except Exception as error:  # noqa: BLE001 - the client said no: saves in the editor still reload
            log.warning("cannot watch configuration files: %s", error)

    # -- LSP features ------------------------------------------------------------------------
    def initialized(self, params) -> None:
        capabilities = self.ls.client_capabilities
        watched = capabilities.workspace and capabilities.workspace.did_change_watched_files
        if watched and watched.dynamic_registration:
            asyncio.ensure_future(self.register_watchers())

    def did_open(self, params) -> None:
        self.schedule(params.text_document.uri)

    def did_change(self, params) -> None:
        self.schedule(params.text_document.uri, self.debounce)

    async def did_save(self, params) -> None:
        uri = params.text_document.uri
        if is_config_uri(uri):
            await self.reload()
            return
        self.schedule(uri)
        # other open documents may import what was saved (ddblint follows project imports on disk)
        for other in list(self.ls.workspace.text_documents):
            if other != uri:
                self.schedule(other, self.debounce)

    def did_close(self, params) -> None:
        uri = params.text_document.uri
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.again.discard(uri)
        self.results.pop(uri, None)
        self.ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def did_change_watched_files(self, params) -> None:
        if any(is_config_uri(change.uri) for change in params.changes):
            await self.reload()

    async def code_action(self, params):
        uri = params.text_document.uri
        document = self.open_document(uri)
        if document is None or not self.is_python(document):
            return None
        text = document.source
        outcome = await self.outcome_for(uri, text)
        if outcome.config_error:
            self.show_config_error(outcome.config_error)
            return []
        only = list(params.context.only or [])

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

        actions = CodeActions(uri, Document(text, self.encoding()))
        if wanted(lsp.CodeActionKind.QuickFix):
            actions.quick_fixes(outcome.diagnostics, ((params.range.start.line, params.range.start.character),
                                                      (params.range.end.line, params.range.end.character)))
        if wanted(FIX_ALL_KIND):
            actions.fix_all(await self.in_lint_thread(self.fix_all, text, self.path_of(uri), outcome))
        return actions.found

    def shutdown(self, *args) -> None:
        self.shut_down = True
        for task in self.pending.values():
            task.cancel()
        self.pending.clear()
        self.again.clear()


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


class CodeActions:
    """The code actions of one request on one document, in the order they are offered."""

    def __init__(self, uri: str, converter: Document) -> None:
        self.uri = uri
        self.converter = converter
        self.found: list = []

    def workspace_edit(self, edits: List[ClientEdit]):
        return lsp.WorkspaceEdit(changes={self.uri: [
            lsp.TextEdit(range=to_lsp_range(start, end), new_text=content) for start, end, content in edits]})

    def quick_fixes(self, diagnostics: Sequence[Diagnostic], wanted_range: Tuple[ClientPosition, ClientPosition]):
        """A quick fix per finding in the range that carries a fix, then "Disable DDBxxx for
        this line" per rule and line."""
        fixes, disables = [], []
        for diagnostic in diagnostics:
            start, end = self.converter.range(diagnostic)
            if start > wanted_range[1] or wanted_range[0] > end:
                continue
            lsp_diagnostic = to_lsp(self.converter, diagnostic)
            found_fix = diagnostic.fix
            if found_fix is not None and found_fix.edits and found_fix.applicability in ("safe", "unsafe"):
                title = f"ddblint ({diagnostic.code}): {found_fix.message}"
                if found_fix.applicability == "unsafe":
                    title += " (unsafe)"
                fixes.append(lsp.CodeAction(
                    title=title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[lsp_diagnostic],
                    is_preferred=found_fix.applicability == "safe",
                    edit=self.workspace_edit(self.converter.edits(found_fix.edits))))
            if diagnostic.noqa_row is not None:
                edit = noqa_edit(self.converter.body, diagnostic.noqa_row, diagnostic.code)
                if edit is not None:
                    disables.append(lsp.CodeAction(
                        title=f"Disable {diagnostic.code} for this line", kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[lsp_diagnostic], edit=self.workspace_edit(self.converter.edits([edit]))))
        self.found += fixes
        # one per rule and line: two findings of a rule on a line share one comment
        seen = set()
        for action in disables:
            key = (action.title, action.edit.changes[self.uri][0].range.start.line)
            if key not in seen:
                seen.add(key)
                self.found.append(action)

    def fix_all(self, fixed: Optional[str]) -> None:
        """`source.fixAll.ddblint`: one edit from the document's body to `fixed`, if they differ."""
        change = minimal_edit(self.converter.body, fixed) if fixed is not None else None
        if change is not None:
            start, end, content = change
            edit = Edit(content, self.converter.location(start), self.converter.location(end))
            self.found.append(lsp.CodeAction(title="ddblint: Fix all auto-fixable problems", kind=FIX_ALL_KIND,
                                             edit=self.workspace_edit(self.converter.edits([edit]))))


def create_server(debounce: float = DEBOUNCE_SECONDS) -> DdblintServer:
    """A `DdblintServer` with its methods registered as pygls features (not started)."""
    server = DdblintServer(debounce)
    features = [
        (lsp.INITIALIZED, None, server.initialized),
        (lsp.TEXT_DOCUMENT_DID_OPEN, None, server.did_open),
        (lsp.TEXT_DOCUMENT_DID_CHANGE, None, server.did_change),
        (lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False), server.did_save),
        (lsp.TEXT_DOCUMENT_DID_CLOSE, None, server.did_close),
        (lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, None, server.did_change_watched_files),
        (lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
            code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
         server.code_action),
        (lsp.SHUTDOWN, None, server.shutdown),
    ]
    for name, options, method in features:
        server.ls.feature(name, options)(_handler(method))
    return server


def _handler(method):
    """A function that calls `method` with the request's parameters: pygls sets attributes on
    what it registers (a bound method takes none) and calls it without the server, as its first
    parameter is not named `ls`; a coroutine method gets a coroutine function."""
    if asyncio.iscoroutinefunction(method):
        async def handler(*args):
            return await method(*args)
    else:
        def handler(*args):
            return method(*args)
    return handler


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
    if LanguageServer is None:
        print('ddblint: error: `ddblint server` needs pygls 2: pip install "ddblint[lsp]"', file=sys.stderr)
        return 2
    level = logging.getLevelName(os.environ.get("DDBLINT_LOG_LEVEL", "warning").strip().upper())
    logging.basicConfig(stream=sys.stderr, level=level if isinstance(level, int) else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    stdin, stdout = _protocol_streams()
    server = create_server()
    try:
        server.ls.start_io(stdin, stdout)
    finally:
        server.executor.shutdown(wait=False, cancel_futures=True)
    return 0 if server.shut_down else 1


if __name__ == "__main__":
    sys.exit(main())
