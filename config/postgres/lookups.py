"""`field__in=[…]` as one array parameter under server-side binding.

Django writes `x IN (%s, %s, …)`, one parameter a value. Bound in the client that costs nothing
but text; bound on the server (config/settings.py: prepared statements) the protocol counts a
statement's parameters in 16 bits, so 65,536 ids in a filter — a national draw, the delete
collector's update of the rows that point to 100,000 units — failed with "number of parameters
must be between 0 and 65535". Here the list travels as one array: `x = ANY(%s)`, the same
rows (NULL dropped as Django drops it; an empty list still matches nothing) and one statement text
whatever the list's length, so it is prepared once. Lists of expressions, multi-column relations,
array and JSON columns keep Django's own SQL; so does every connection that binds in the client."""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In
from django.utils.datastructures import OrderedSet


class ArrayInMixin:
    def _as_array(self, connection) -> bool:
        if not connection.features.uses_server_side_binding or not self.rhs_is_direct_value() \
                or isinstance(self.lhs, (ColPairs, tuple)):
            return False
        output = self.lhs.output_field
        column_type = output.db_type(connection)
        return bool(column_type) and not column_type.endswith("]") and output.get_internal_type() != "JSONField"

    def as_sql(self, compiler, connection):
        if not self._as_array(connection):
            return super().as_sql(compiler, connection)
        try:
            values = OrderedSet(self.rhs)
            values.discard(None)
        except TypeError:  # unhashable values
            values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        sqls, params = self.batch_process_rhs(compiler, connection, values)
        if any(sql != "%s" for sql in sqls):  # an expression among the values
            return super().as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        # The array's type is psycopg's for the values, not a cast to the column's: ids past
        # bigint (typed into a form) travel as numeric[] and match nothing, as with IN.
        return f"{lhs_sql} = ANY(%s)", (*lhs_params, list(params))


class ArrayIn(ArrayInMixin, In):
    pass


class ArrayRelatedIn(ArrayInMixin, RelatedIn):
    pass


def register() -> None:
    Field.register_lookup(ArrayIn)
    ForeignObject.register_lookup(ArrayRelatedIn)
