"""`field__in=[…]` as one array parameter under server-side binding.

Django writes `x IN (%s, %s, …)`, one parameter a value. Bound in the client that costs nothing
but text; bound on the server (config/settings.py: prepared statements) the protocol counts a
statement's parameters in 16 bits, so 65,536 ids in a filter — a national draw, the delete
collector's update of the rows that point to 100,000 units — failed with "number of parameters
must be between 0 and 65535". Here the list travels as one array: `x = ANY(%s)`, the same
rows (NULL dropped as Django drops it; an empty list still matches nothing) and one statement text
whatever the list's length, so it is prepared once. Lists holding an expression and composite keys
keep Django's own SQL (array columns have their own `in`), and so does every connection that binds
in the client."""

from django.db.models import Field, ForeignObject
from django.db.models.expressions import ColPairs
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class ArrayInMixin:
    def as_sql(self, compiler, connection):
        if connection.features.uses_server_side_binding and self.rhs_is_direct_value() \
                and not isinstance(self.lhs, ColPairs):  # a composite key keeps its tuples
            # Django's own values: NULL dropped, an empty list raising EmptyResultSet.
            rhs_sql, rhs_params = self.process_rhs(compiler, connection)
            if rhs_sql == f"({', '.join(['%s'] * len(rhs_params))})":  # no expression among them
                lhs_sql, lhs_params = self.process_lhs(compiler, connection)
                # The array's type is psycopg's for the values, not a cast to the column's: ids
                # past bigint (typed into a form) travel as numeric[] and match nothing, as with IN.
                return f"{lhs_sql} = ANY(%s)", (*lhs_params, list(rhs_params))
        return super().as_sql(compiler, connection)


class ArrayIn(ArrayInMixin, In):
    pass


class ArrayRelatedIn(ArrayInMixin, RelatedIn):
    pass


def register() -> None:
    Field.register_lookup(ArrayIn)
    ForeignObject.register_lookup(ArrayRelatedIn)
