"""REST API and dashboard over the store: the same query functions as the CLI.

Read-only by default; POST /documents ingests only with the bearer token
given in DYAD_TOKEN. The token is checked before a byte of the body is
read, the body is read with a hard limit, and extraction runs off the
request path (dyad.serve.queue): the POST answers with the ids it accepted.
An article given by ``url`` without ``text`` is fetched by the same worker,
but never from an address on the server's own networks (loopback, private,
link-local) nor by any scheme but http and https. Article text is
untrusted: JSON responses carry it as data, and the dashboard inserts it as
text, never as markup, under a Content-Security-Policy that forbids inline
script. Every response, errors included, carries the security headers.
"""

import csv
import hmac
import io
import json
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any

try:
    import orjson
except ImportError:  # an environment installed before orjson became a dependency: the same JSON, slower
    orjson = None  # type: ignore[assignment]
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from sqlalchemy import event
from starlette.concurrency import run_in_threadpool

from dyad import __version__
from dyad.errors import DocumentError
from dyad.fetch import Fetcher
from dyad.kb.loader import KnowledgeBase, load_kb
from dyad.kb.stats import ActorNames
from dyad.model import Document
from dyad.read.web import WebContext, fetch_documents
from dyad.serve.queue import IngestQueue
from dyad.serve.totals import Pages, StoreVersion, Totals
from dyad.settings import Settings
from dyad.store.core import Store
from dyad.store.query import (
    BadCursor,
    RecordQuery,
    counts_over_time,
    cursor_after,
    dyad_counts,
    find_records,
    flat_record,
    get_document,
    get_record,
    iter_records,
    next_cursor,
    top_actors,
)

STATIC = Path(__file__).parent / "static"
MAX_PAGE = 500
MAX_DOWNLOAD = 100_000  # records in one download of what the filters select
MAX_COUNT = 10_000  # totals are counted up to here; a larger result says "more than 10,000"
MAX_BODY = 2_000_000  # bytes of one POST /documents request
MAX_DOCUMENTS = 100  # articles in one POST /documents request
DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
CODE = r"^[A-Za-z0-9+_-]{2,20}$"
# the parameters several endpoints share, validated alike
Country = Annotated[str | None, Query(pattern=CODE)]
DateFrom = Annotated[str | None, Query(alias="from", pattern=DATE, description="YYYY, YYYY-MM or YYYY-MM-DD")]
DateTo = Annotated[str | None, Query(alias="to", pattern=DATE)]
READ_CACHE_KB = 8192  # SQLite page cache per connection of the server
KEPT_PAGE_BYTES = int(os.environ.get("DYAD_KEPT_PAGES", 32_000_000))  # see dyad.serve.totals; 0 keeps none
MAX_ID = 2**63 - 1  # the largest integer key either database holds
SWITCH_INTERVAL = 0.0005  # seconds a thread holds the interpreter while others wait for it (see _lifespan)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
# the API documentation pages (Swagger UI, ReDoc, served from the package) set styles inline and ReDoc runs a
# worker from a blob; their scripts still come only from this server
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'") + "; worker-src 'self' blob:"
DOCS_PAGES = {"/docs": "docs.html", "/redoc": "redoc.html"}


MAX_FETCHES = 10  # articles given by URL alone in one request: each may take the fetcher's minute


class ArticleIn(BaseModel):
    id: str = Field(min_length=1, max_length=500)
    text: str | None = Field(default=None, min_length=1, max_length=1_000_000,
                             description="the article; leave it out to fetch the page at url")
    published: date | None = None
    language: str | None = Field(default=None, pattern=r"^(de|en)$")
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=2000)
    source: str | None = Field(default=None, max_length=200)


ARTICLES = TypeAdapter(list[ArticleIn])


async def query(  # async: plain parsing, run on the event loop rather than handed to a thread
    actor: Annotated[str | None, Query(max_length=200, description="actor id or name")] = None,
    country: Country = None,
    counterpart: Annotated[str | None, Query(alias="with", pattern=CODE)] = None,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    status: Annotated[str | None, Query(pattern=r"^(occurred|planned)$")] = None,
    mode: Annotated[str | None, Query(pattern=r"^(in_person|phone|video|unspecified)$")] = None,
    location: Annotated[str | None, Query(max_length=200)] = None,
    series: Annotated[str | None, Query(max_length=200)] = None,
    topic: Annotated[str | None, Query(max_length=100)] = None,
    text: Annotated[str | None, Query(max_length=200, description="words in the evidence")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    after: Annotated[str | None, Query(max_length=1000, description="the next page: the `next` of the page before "
                                       "(in place of an offset; as fast however deep, unmoved by new records)")]
    = None,
    order: Annotated[str, Query(pattern=r"^(newest|oldest)$")] = "newest",
    sort: Annotated[str, Query(pattern=r"^(date|sources)$", description="date, or sources (most reported)")] = "date",
    min_confidence: Annotated[float | None, Query(ge=0, le=1, description="best report at least this likely right")]
    = None,
) -> RecordQuery:
    q = RecordQuery(actor=actor, country=country, counterpart=counterpart, date_from=date_from,
                    date_to=date_to, status=status, mode=mode, location=location, series=series,
                    topic=topic, words=text, limit=limit, offset=offset, oldest_first=order == "oldest", sort=sort,
                    min_confidence=min_confidence)
    if after is None:
        return q
    if offset:
        raise HTTPException(422, "give either an offset or a cursor (after), not both")
    try:
        return replace(q, after=cursor_after(after, q))
    except BadCursor as exc:
        raise HTTPException(422, str(exc)) from None


def create_app(store: Store, token: str | None = None, kb: KnowledgeBase | None = None,
               fetch_settings: Settings | None = None, kept_pages: int | None = None) -> FastAPI:
    """The app over ``store``; ``kept_pages``: bytes of /events answers kept until the store changes (0: none)."""
    app = FastAPI(title="dyad", version=__version__, docs_url=None, redoc_url=None, lifespan=_lifespan,
                  description="Political meeting events extracted from news, fused across articles, with evidence.")
    app.state.store = store
    _reading_connections(store)
    app.state.token = token
    app.state.ingest = IngestQueue(store, kb)
    version = StoreVersion(store)
    app.state.totals = Totals(store, cap=MAX_COUNT, version=version)
    app.state.pages = Pages(version, KEPT_PAGE_BYTES if kept_pages is None else kept_pages)
    app.state.actor_names = None
    # untrusted URLs: no private addresses, unless a test or an operator's own setup says otherwise
    app.state.fetch_settings = fetch_settings or Settings(allow_private=False)

    app.add_middleware(KeptPages, pages=app.state.pages)
    app.add_middleware(SecurityHeaders)  # (added last: the outermost, around every answer)

    names_lock = threading.Lock()

    def actor_id(name: str | None) -> str | None:
        """The knowledge base is loaded once: as the server starts (see _lifespan), or else at the first actor
        filter, when requests that come meanwhile wait for it rather than each load it again (under load, every
        thread of the pool did, and the server stalled). Names are resolved under the lock too: the first
        resolution builds an index of case-folded names."""
        with names_lock:
            if app.state.actor_names is None:
                app.state.actor_names = ActorNames(kb or load_kb())
                app.state.actor_names.resolve("")  # (builds that index now)
            return app.state.actor_names.resolve(name) if name else None

    app.state.load_actor_names = lambda: actor_id(None)

    def resolved(q: RecordQuery) -> RecordQuery:
        """The query with its actor by any name or alias the knowledge base knows, in any case."""
        return replace(q, actor=actor_id(q.actor) or q.actor) if q.actor else q


    def events_page(q: RecordQuery) -> bytes:
        q = resolved(q)
        items = find_records(store, q)
        total = app.state.totals.count(q)
        return _json_bytes({"total": min(total, MAX_COUNT), "total_exceeds": total > MAX_COUNT, "limit": q.limit,
                            "offset": q.offset, "next": next_cursor(q, items), "items": items})

    @app.get("/events", summary="Meeting records, newest first, filtered and paginated", response_class=JSONResponse)
    async def events(q: Annotated[RecordQuery, Depends(query)], request: Request) -> Response:
        # a page asked before, of the store as it is, is sent as it was; only a new one is read, off the event loop
        body, state = app.state.pages.get(q)
        if body is None:
            body = await run_in_threadpool(events_page, q)
            app.state.pages.put(q, body, state)
        # the same words of a request ask for the same page: KeptPages sends it before they are parsed again
        app.state.pages.put_asked(KeptPages.key(request.scope), q, state)
        return Response(body, media_type="application/json")

    @app.get("/events/download", summary="Every record the filters select, as CSV or JSON (up to 100,000)")
    def download(q: Annotated[RecordQuery, Depends(query)],
                 format: Annotated[str, Query(pattern=r"^(csv|json)$")] = "csv") -> StreamingResponse:
        rows = iter_records(store, replace(resolved(q), offset=0), MAX_DOWNLOAD)
        if format == "json":
            body, media = _json_array(rows), "application/json"
        else:
            body, media = _csv_lines(flat_record(r) for r in rows), "text/csv; charset=utf-8"
        return StreamingResponse(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="dyad-meetings.{format}"'})

    @app.get("/counts", summary="Meetings per month, in all, per country or per pair of countries",
             response_class=JSONResponse)
    def counts(q: Annotated[RecordQuery, Depends(query)],
               by: Annotated[str, Query(pattern=r"^(all|country|dyad)$")] = "dyad",
               top: Annotated[int, Query(ge=1, le=50)] = 8) -> Response:
        return _json(counts_over_time(store, resolved(q), None if by == "all" else by, top))

    @app.get("/events/{record_id}", summary="One record with every source and its evidence",
             response_class=JSONResponse)
    def event(record_id: str) -> Response:
        record = get_record(store, record_id)
        if record is None:
            raise HTTPException(404, f"no record {record_id!r}")
        return _json(record)

    @app.get("/actors", summary="Who meets most", response_class=JSONResponse)
    def actors(country: Country = None, top: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20,
               date_from: DateFrom = None, date_to: DateTo = None) -> Response:
        return _json(top_actors(store, country, top, date_from, date_to))

    @app.get("/dyads", summary="Meetings per pair of countries (a record counts once per pair)",
             response_class=JSONResponse)
    def dyads(country: Country = None, date_from: DateFrom = None, date_to: DateTo = None,
              status: Annotated[str, Query(pattern=r"^(occurred|planned)$")] = "occurred",
              top: Annotated[int, Query(ge=1, le=5000)] = 500) -> Response:
        return _json(dyad_counts(store, country, date_from, date_to, status, top))

    @app.get("/documents/{document_id}", summary="A stored article with its events", response_class=JSONResponse)
    def document(document_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Response:
        found = get_document(store, document_id)
        if found is None:
            raise HTTPException(404, f"no document {document_id}")
        return _json(found)

    def authorise(request: Request) -> None:
        """The bearer scheme and the token, compared in constant time, before any of the body is read."""
        expected = app.state.token
        scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
        if not expected or scheme.lower() != "bearer" or not given.strip() or \
                not hmac.compare_digest(given.strip().encode(), expected.encode()):
            raise HTTPException(401, "a bearer token (DYAD_TOKEN) is required to ingest",
                                headers={"WWW-Authenticate": "Bearer"})

    async def body_of(request: Request) -> bytes:
        """The body, read as it streams in and refused as soon as it passes the limit."""
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise HTTPException(413, f"request body over {MAX_BODY} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    @app.post("/documents", status_code=202, summary="Queue articles for ingestion (bearer token required)",
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                  "schema": {"type": "array", "items": ArticleIn.model_json_schema()}}}}})
    async def post_documents(request: Request) -> dict[str, Any]:
        authorise(request)
        try:
            articles = ARTICLES.validate_python(json.loads(await body_of(request)))
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, ValidationError):
                raise HTTPException(422, json.loads(exc.json(include_url=False, include_input=False))) from None
            raise HTTPException(400, "the body is not JSON") from None
        if len(articles) > MAX_DOCUMENTS:
            raise HTTPException(422, f"at most {MAX_DOCUMENTS} articles per request")
        to_fetch = [a for a in articles if a.text is None]
        if any(not a.url for a in to_fetch):
            raise HTTPException(422, "an article needs its text or a url to fetch it from")
        if len(to_fetch) > MAX_FETCHES:
            raise HTTPException(422, f"at most {MAX_FETCHES} articles to fetch per request")
        docs = [Document(a.id, a.text, a.published, a.language, a.url, a.title, a.source, origin=f"POST {a.id}")
                for a in articles if a.text is not None]
        fetch_settings = app.state.fetch_settings
        fetch = (lambda: _fetched(to_fetch, fetch_settings)) if to_fetch else None  # by the worker, not here
        if articles and not app.state.ingest.put(docs, fetch, len(to_fetch)):
            raise HTTPException(503, "the ingest queue is full; try again later", headers={"Retry-After": "60"})
        return {"accepted": [a.id for a in articles], "queued": app.state.ingest.status.waiting}

    @app.get("/ingest", summary="Documents waiting to be ingested, counts so far, the latest failures")
    def ingest_status() -> dict[str, Any]:
        status = app.state.ingest.status
        done = status.done
        return {"waiting": status.waiting, "added": done.added, "replaced": done.replaced,
                "unchanged": done.unchanged, "events": done.events, "failed": list(status.failed)}

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return HTMLResponse((STATIC / "docs.html").read_text(encoding="utf-8"))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return HTMLResponse((STATIC / "redoc.html").read_text(encoding="utf-8"))

    app.mount("/static/apidocs", StaticFiles(directory=_docs_assets()), name="apidocs")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The knowledge base's names are loaded as the server starts. While it runs, threads hand the interpreter
    over every half millisecond rather than every five:
    the event loop, which sends kept pages in a fraction of a millisecond, otherwise waited up to 5 ms for a
    query thread building rows each time it let go (on every socket read and write), and under 50 clients
    the kept pages took as long as the queries. Paired runs of the mix at 50 clients: p95 3,145 and 826 ms
    at 5 ms, 329 and 316 ms at 0.5 ms (machine load 7-10, bench/api_load.py)."""
    app.state.load_actor_names()  # before the first request: loaded at the first actor filter, the knowledge base
    # (1.7 s of CPU) held up every request of that process meanwhile, in the middle of the load
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class KeptPages:
    """A page of /events kept for the very query string asked (and the store as it is) is sent before the
    parameters are parsed and validated again: that was half the time of a kept page (a string that once gave a
    page is valid; a page is kept under the parsed query as well, for the same query in other words)."""

    PATH = "/events"

    def __init__(self, app, pages: Pages) -> None:
        self.app = app
        self.pages = pages

    @staticmethod
    def key(scope) -> tuple[str, bytes]:
        return KeptPages.PATH, scope["query_string"]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == self.PATH:
            body = self.pages.asked(self.key(scope))
            if body is not None:
                await send({"type": "http.response.start", "status": 200, "headers": [
                    (b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """Every response, errors included, carries the security headers; a body announced over the limit is
    refused unread; a bug answers 500 without a word of itself. A plain ASGI middleware: Starlette's
    ``BaseHTTPMiddleware`` cost a fifth of the server's time per request."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(b"content-security-policy", (DOCS_CSP if scope["path"] in DOCS_PAGES else CSP).encode()),
                   (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
        ours = {name for name, _ in headers}
        started = False

        async def send_with_headers(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": [*(h for h in message.get("headers", []) if h[0].lower() not in ours),
                                                  *headers]}
            await send(message)

        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > MAX_BODY:
            await JSONResponse({"detail": f"request body over {MAX_BODY} bytes"}, status_code=413)(
                scope, receive, send_with_headers)
            return
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:  # a bug: the client learns nothing of it, but gets the headers all the same
            if started:
                raise
            await JSONResponse({"detail": "internal error"}, status_code=500)(scope, receive, send_with_headers)


def app_from_environment() -> FastAPI:
    """The app each of `dyad serve --workers N`'s processes builds: the store from DYAD_DB, the token from
    DYAD_TOKEN (the parent checked the store before starting them)."""
    from dyad.store.core import open_store

    return create_app(open_store(os.environ["DYAD_DB"]), os.environ.get("DYAD_TOKEN") or None)


def _reading_connections(store: Store) -> None:
    """A smaller page cache for each of the server's SQLite connections: a thread of the request pool holds
    one each, and the operating system caches the file for all of them (and for every worker) anyway."""
    if store.dialect != "sqlite":
        return

    def smaller_cache(dbapi_conn, _record) -> None:
        dbapi_conn.execute(f"PRAGMA cache_size=-{READ_CACHE_KB}")

    event.listen(store.engine, "connect", smaller_cache)
    store.engine.dispose()  # connections opened before (the migration check) are opened again, with it


def _json(value: Any) -> Response:
    """JSON of plain rows (strings and numbers), written directly rather than passed through a response model."""
    return Response(_json_bytes(value), media_type="application/json")


def _json_bytes(value: Any) -> bytes:
    if orjson is not None:  # a tenth of the standard library's time: a fifth of a page's CPU was spent here
        # (column names come as SQLAlchemy's subclass of str, which orjson takes only with this option)
        return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _fetched(articles: list[ArticleIn], settings: Settings) -> Iterator[Document | DocumentError]:
    """The pages given by URL; a page keeps the id, date and source the request gave it."""
    if not articles:
        return
    with Fetcher(settings) as fetcher:
        ctx = WebContext(settings=settings, fetcher=fetcher)
        for a in articles:
            for doc in fetch_documents(a.url or "", ctx):  # every article here has its url (checked)
                if isinstance(doc, DocumentError):
                    yield DocumentError(f"POST {a.id} ({a.url})", doc.stage, doc.reason)
                elif doc.url == a.url or doc.origin == a.url:
                    yield replace(doc, id=a.id, published=a.published or doc.published,
                                  language=a.language or doc.language, title=a.title or doc.title,
                                  source=a.source or doc.source, origin=f"POST {a.id}")
                else:  # the items of a feed
                    yield doc


def _docs_assets() -> Path:
    """Swagger UI and ReDoc as the fastapi-offline package ships them: nothing comes from a CDN."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _csv_lines(rows) -> Iterator[str]:
    buffer = io.StringIO()
    writer = None
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _json_array(rows) -> Iterator[str]:
    yield "["
    for i, row in enumerate(rows):
        yield ("," if i else "") + json.dumps(row, ensure_ascii=False)
    yield "]"
