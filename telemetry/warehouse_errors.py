"""What a warehouse error means for the API, from Snowflake's error numbers (and the connector's).

- ``UNAVAILABLE``: the warehouse cannot answer now (a statement or queue timeout, no active
  warehouse, a failed login): 503 with Retry-After, not retried (a retry would wait as long again).
- ``TRANSIENT``: the connection failed (network, an expired session after a restart): retried on
  a new connection, then 503.
- ``NOT_MIGRATED``: a telemetry table does not exist: 503 with the command that creates them.
- ``PERMANENT``: anything else (SQL compilation, permissions): a bug or a grant to fix, 500.
"""

from __future__ import annotations

import enum

import snowflake.connector.errors as connector
from django.db import utils as django_errors

# 604: cancelled at the client's timeout; 630: the server's statement or queued timeout.
TIMEOUT_ERRNOS = frozenset({604, 630})
# No active warehouse in the session: missing, suspended without auto-resume, or no USAGE on it.
NO_WAREHOUSE_ERRNOS = frozenset({606})
# The connector could not log in (250001, after its login timeout) or the account refused the user
# (390100 wrong password, 390101 disabled, 390102 locked, 390144 invalid key pair token).
LOGIN_ERRNOS = frozenset({250001, 390100, 390101, 390102, 390144})
# The session is gone (expired, or the warehouse's server restarted): a new connection helps.
SESSION_GONE_ERRNOS = frozenset({390111, 390112, 390114})
OBJECT_MISSING_ERRNO = 2003
TABLE_PREFIX = "TELEMETRY_"

NOT_MIGRATED_DETAIL = (
    "The telemetry tables are missing in the warehouse: run "
    "`python manage.py migrate --database=warehouse` (as the role that loads the data)."
)


class Failure(enum.Enum):
    UNAVAILABLE = "unavailable"
    TRANSIENT = "transient"
    NOT_MIGRATED = "not_migrated"
    PERMANENT = "permanent"


def connector_error(error: BaseException) -> BaseException:
    """The connector's own exception behind Django's wrapper (``error`` itself when raw)."""
    cause = error.__cause__
    return cause if isinstance(cause, connector.Error) else error


def failure_kind(error: BaseException) -> Failure:
    raw = connector_error(error)
    errno = getattr(raw, "errno", None)
    if errno in TIMEOUT_ERRNOS | NO_WAREHOUSE_ERRNOS | LOGIN_ERRNOS:
        return Failure.UNAVAILABLE
    if errno in SESSION_GONE_ERRNOS:
        return Failure.TRANSIENT
    if errno == OBJECT_MISSING_ERRNO and TABLE_PREFIX in str(raw).upper():
        return Failure.NOT_MIGRATED
    # Network failures: OperationalError; the connector's HTTP errors (5xx, a dropped session) are
    # its base Error class or a direct subclass, not a DatabaseError.
    if (
        isinstance(
            raw,
            connector.OperationalError
            | connector.InterfaceError
            | django_errors.OperationalError
            | django_errors.InterfaceError,
        )
        or type(raw) is django_errors.Error
    ):
        return Failure.TRANSIENT
    if isinstance(raw, connector.Error) and not isinstance(raw, connector.DatabaseError):
        return Failure.TRANSIENT
    return Failure.PERMANENT
