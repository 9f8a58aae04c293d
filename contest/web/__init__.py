"""The only package that speaks HTTP, in two halves: `infra/` (the machinery every page uses) and one
package per audience (`auth/`, `public/`, `designer/`, `judge/`, `organiser/`), which imports `infra/`
and the domains, never another audience. `routes.py` mounts the audiences.

Path numbers (`{entry_id:int}`) match at most 9 digits, so every one fits an id column: a longer
number is a missing page, never a database error. Set here, before any route is built.
"""

from __future__ import annotations

from starlette.convertors import IntegerConvertor, register_url_convertor


class IdConvertor(IntegerConvertor):
    regex = "[0-9]{1,9}"


register_url_convertor("int", IdConvertor())
