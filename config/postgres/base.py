"""Django's PostgreSQL backend, its batches sized for server-side binding.

With server-side binding (config/settings.py: prepared statements) every value travels as a
parameter of the extended protocol, which counts them in 16 bits: a statement may carry at most
65,535. Django's PostgreSQL backend knows no such limit (it binds in the client by default), so
`bulk_create`, `bulk_update` and the delete collector send all their rows in one statement:
17,000 rows of four columns failed with "number of parameters must be between 0 and 65535".
Here, as for SQLite's own limit, `bulk_batch_size` cuts them into statements that fit; the
`__in` lists, which no batch size can cut (the collector ORs its batches back into one
statement), travel as one array each (`lookups.py`)."""

from django.db import models
from django.db.backends.postgresql import base, operations

MAX_PARAMETERS = 65_535


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        if not self.connection.features.uses_server_side_binding:
            return super().bulk_batch_size(fields, objs)
        columns = sum(len(field.fields) if isinstance(field, models.CompositePrimaryKey) else 1 for field in fields)
        return max(1, MAX_PARAMETERS // max(1, columns))


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
