"""Translate `_("literal")` once, when a template is compiled, instead of on every render.

Each locale has its own Jinja environment, so a call with a literal and no arguments always gives
the same text. The i18n extension's `_` costs two `Context.call`s and a Markup format per use, and a
judge's page makes about twenty of them: ~10 % of its render (benchmarks/scoring.py, py-spy).

Only texts that render the same either way are folded: the call returns Markup (not escaped), the
folded literal is escaped on output, so a translation with a character escaping would change
(`<>&'"`) or with a `%` (the call formats it) is left to the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)

UNCHANGED_CHARACTERS = frozenset("<>&'\"%")

# `_` `(` "literal" `)`: the token types and, where it matters, values.
_PATTERN = ((TOKEN_NAME, "_"), (TOKEN_LPAREN, None), (TOKEN_STRING, None), (TOKEN_RPAREN, None))


def _fits(tokens: list[Token]) -> bool:
    return all(t.type == kind and (value is None or t.value == value)
               for t, (kind, value) in zip(tokens, _PATTERN, strict=False))


def fold(stream: Iterator[Token], translate: Callable[[str], str]) -> Iterator[Token]:
    pending: list[Token] = []
    for token in stream:
        pending.append(token)
        if not _fits(pending):
            last = pending.pop()
            yield from pending
            pending = [last] if _fits([last]) else []
            if not pending:
                yield last
        elif len(pending) == len(_PATTERN):
            text = translate(pending[2].value)
            if UNCHANGED_CHARACTERS.isdisjoint(text):
                yield Token(pending[0].lineno, TOKEN_STRING, text)
            else:
                yield from pending
            pending = []
    yield from pending


class ConstantGettext(Extension):
    """Needs `environment.globals["gettext"]` (installed by `install_gettext_translations`)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translations = self.environment.constant_translations  # type: ignore[attr-defined]  # env.extend(constant_translations=...) in templating
        return fold(iter(stream), translations.gettext)
