"""The only package that speaks HTTP.

Path numbers (`{entry_id:int}`) match at most 9 digits, so every one fits an id column: a longer
number is a missing page, never a database error. Set here, before any route is built.
"""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor


class IdConvertor(IntegerConvertor):
    regex = "[0-9]{1,9}"


register_url_convertor("int", IdConvertor())
