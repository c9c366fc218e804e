"""gunicorn's worker: uvicorn's HTTP (keep-alive, a C parser, uvloop) in front of the WSGI application,
which runs in the worker's own thread, one request at a time, as under gunicorn's sync worker.

A cached answer costs the edge (hackthetrack/edge_cache.py) tens of microseconds; under the sync
worker each request also paid for a new connection and gunicorn's Python parser, more than the answer
itself (docs/benchmarks.md). uvicorn's worker keeps connections open and parses in C, but serves ASGI:
``InlineWSGI`` calls the WSGI application directly, without the thread hop of a WSGI-in-ASGI adapter
(a2wsgi, uvicorn's own), which would cost the edge its gain. Django's code never runs for two requests at
once in one worker: its connections are per thread, and a request holds the worker's lock until its last
byte is sent. A request that blocks the worker blocks its event loop as well, so gunicorn's ``timeout``
stops it as before.

What gunicorn's sync worker gave the application, this gives it too: the environ of PEP 3333 with the
path decoded to latin-1 from the raw path, headers with an underscore in their name dropped (gunicorn's
``header_map = "drop"``: they would pass for a dash, e.g. ``X_Forwarded_For``), the client address as
the peer's (uvicorn's proxy headers off: Django reads ``X-Forwarded-*`` itself, see settings), and the
body, read before the application runs. A body larger than ``REQUEST_MAX_BODY_BYTES`` is not kept:
Django refuses it by its length (hackthetrack/middleware.py). A chunked body is given its length, so
Django reads it (the sync worker gave Django none of it).
"""

import asyncio
import contextvars
import io
import os
import sys
from urllib.parse import unquote_to_bytes

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker


def _environ(scope: dict, body: bytes, received: int) -> dict:
    server_name, server_port = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(scope["raw_path"]).decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("latin-1"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope["scheme"],
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if client := scope.get("client"):
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").upper()
        if "_" in name:
            continue
        key = {"CONTENT-LENGTH": "CONTENT_LENGTH", "CONTENT-TYPE": "CONTENT_TYPE"}.get(name)
        key = key or "HTTP_" + name.replace("-", "_")
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    if received and "CONTENT_LENGTH" not in environ:
        # A chunked body: Django reads as many bytes as this says (none without it; gunicorn's sync
        # worker left it out), and refuses a body over the limit by it, having been given none of it.
        environ["CONTENT_LENGTH"] = str(received)
    return environ


async def _body(scope: dict, receive, limit: int | None) -> tuple[bytes, int]:
    """The request's body, and how many bytes were received: none read when its declared length is over
    ``limit``; reading stops once ``limit`` is passed."""
    limit = sys.maxsize if limit is None else limit
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return b"", 0
    chunks, received = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        received += len(chunk)
        if received <= limit:
            chunks.append(chunk)
        if not message.get("more_body") or received > limit:
            break
    body = b"".join(chunks)
    return body, received


class InlineWSGI:
    """An ASGI application calling a WSGI application in the event loop's thread, one request at a time."""

    def __init__(self, app, *, max_body_bytes: int | None = None):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.lock = asyncio.Lock()
        self.context = contextvars.copy_context()  # entered by one request at a time (the lock)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] != "http":
            raise ValueError(f"{scope['type']} is not served")  # uvicorn closes the websocket
        body, received = await _body(scope, receive, self.max_body_bytes)
        environ = _environ(scope, body, received)
        async with self.lock:
            await self._respond(environ, send)

    async def _respond(self, environ: dict, send) -> None:
        response = {}

        def start_response(status, headers, exc_info=None):
            if exc_info and "sent" in response:
                raise exc_info[1].with_traceback(exc_info[2])
            response["status"], response["headers"] = status, headers

        chunks = self._outside_the_loop(self.app, environ, start_response)
        try:
            iterator = self._outside_the_loop(iter, chunks)
            # start_response has been called once the first chunk is out (PEP 3333).
            chunk = self._outside_the_loop(next, iterator, None)
            following = self._outside_the_loop(next, iterator, None) if chunk is not None else None
            headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response["headers"]]
            status = int(response["status"][:3])
            has_length = any(name.lower() == b"content-length" for name, _ in headers)
            if following is None and status not in (204, 304) and not has_length:
                # One chunk: its length, rather than chunked encoding.
                headers.append((b"content-length", str(len(chunk or b"")).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            response["sent"] = True
            while following is not None:  # a stream: each chunk as it comes
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                chunk, following = following, self._outside_the_loop(next, iterator, None)
            await send({"type": "http.response.body", "body": chunk or b""})
        finally:
            if hasattr(chunks, "close"):
                self._outside_the_loop(chunks.close)

    def _outside_the_loop(self, function, *args):
        """``function(*args)`` as in a thread without an event loop, which it is for all it can do: it
        runs to its end before the loop goes on. Django and asgiref then keep their connections and
        locals per thread, as under the sync worker, instead of per asyncio task (a new database
        connection object for every request), and Django's guard against database work in async code
        stays quiet.

        It runs in ``self.context``, the one every request of the worker runs in, as every request of
        a sync worker runs in its thread's: uvicorn starts each request in an asyncio task of its own,
        whose context variables start afresh, and asgiref's context-local values (Django's cache
        backends among them) were built again for every request."""
        loop = asyncio.get_running_loop()
        asyncio._set_running_loop(None)
        try:
            return self.context.run(function, *args)
        finally:
            asyncio._set_running_loop(loop)

    @staticmethod
    async def _lifespan(receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


class RequestCappedProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 (httptools) closing a connection after its ``max_requests``-th answer (0: never),
    as Apache's MaxKeepAliveRequests and nginx's keepalive_requests do.

    The worker first to wake takes every connection waiting (libuv accepts until none is left), so a
    client that opens its connections at once (a proxy's pool, a load generator) can leave one worker
    with all of them and the others idle: half the throughput of two cores, in about one wrk run in
    nine (docs/benchmarks.md). A closed connection is opened again by its client, and a worker busy in
    a request cannot accept it: the connections spread over the idle workers within that many answers.
    """

    max_requests = int(os.environ.get("GUNICORN_KEEPALIVE_REQUESTS", "100"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.requests = 0

    def on_headers_complete(self) -> None:
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not previous:  # a request begun (not an upgrade)
            self.requests += 1
            if self.max_requests and self.requests >= self.max_requests:
                self.cycle.keep_alive = False  # "Connection: close" on its answer, then closed


class KeepAliveWorker(UvicornWorker):
    """uvicorn's gunicorn worker serving the WSGI application with ``InlineWSGI``; proxy headers are
    Django's to read (SECURE_PROXY_SSL_HEADER, NUM_PROXIES), as under the sync worker."""

    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": RequestCappedProtocol,
        "proxy_headers": False,
        "server_header": False,
    }

    def load_wsgi(self):
        super().load_wsgi()
        # Django's limit when the application is Django's (bench/wsgi_floors.py's apps are not).
        limit = settings.REQUEST_MAX_BODY_BYTES if settings.configured else None
        self.wsgi = InlineWSGI(self.wsgi, max_body_bytes=limit)
