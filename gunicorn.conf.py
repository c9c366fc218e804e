"""gunicorn settings (Procfile: gunicorn -c gunicorn.conf.py hackthetrack.wsgi)."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Heroku sets WEB_CONCURRENCY from the dyno size. Default: one more than the 2 cores we were measured
# on, so the CPU stays busy while a worker waits on PostgreSQL or Redis (bench/run, 2026-11-29:
# 3 workers served about 5% more than 2, with a shorter p99).
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# uvicorn's HTTP in front of the WSGI application (hackthetrack/server.py): connections kept open, a C
# parser; still one request at a time per worker. GUNICORN_WORKER_CLASS=sync is gunicorn's own worker.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "hackthetrack.server.KeepAliveWorker")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Heroku's router gives up after 30 s: stop a stuck request before it does.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "25"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Under the sync worker, a request line as long as Heroku's router takes (8 KB; gunicorn's most): with
# gunicorn's default (4094) a longer query string got gunicorn's own HTML 400 instead of the API's answer.
# (uvicorn's parser has no such limit.)
limit_request_line = 8190
# The workers' heartbeat touches a file after every request: in memory, not on the disk's
# filesystem (gunicorn's advice for containers and Heroku; bench/run: about 4% more on a cached GET).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Import the app once, before forking: a new or recycled worker answers at once instead of
# importing Django on its first requests. Nothing connects to a database at import time, so no
# connection is shared across the fork.
preload_app = True
# Workers are not recycled unless asked (GUNICORN_MAX_REQUESTS, plus up to the jitter): memory per worker
# stays flat over a 10-minute soak (docs/benchmarks.md), Heroku restarts dynos daily, and a recycled
# worker closes the connections it keeps open, under clients that may have just sent a request on one
# (bench/run counted those as errors at 50,000 requests per worker).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# The app logs one line per request itself (hackthetrack.middleware: method, path, status, duration,
# request id); gunicorn's access log would repeat it. GUNICORN_ACCESS_LOG=- turns it on.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


def post_fork(server, worker):
    """Each worker bounds its waits on PostgreSQL (hackthetrack/db_deadline.py); a management
    command, or a test importing the app, does not."""
    from hackthetrack import db_deadline

    db_deadline.enable()
