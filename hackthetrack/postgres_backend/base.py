"""Django's PostgreSQL backend, with bounded waits in the web processes (hackthetrack/db_deadline.py)."""

from django.db.backends.postgresql import base

from hackthetrack import db_deadline


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.execute_wrappers.append(db_deadline.bounded_execute)

    def is_usable(self):
        # After an error in a request (and with CONN_HEALTH_CHECKS) Django checks the kept connection.
        if self.connection is None:
            return False
        try:
            fileno = self.connection.pgconn.socket
        except base.Database.Error:  # the connection is lost
            return False
        return db_deadline.usable(super().is_usable, fileno)

    def get_new_connection(self, conn_params):
        return db_deadline.connected(lambda: super(DatabaseWrapper, self).get_new_connection(conn_params))
