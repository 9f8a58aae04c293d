"""`_("literal")` is translated when the template compiles, and renders exactly as the runtime call would."""

from __future__ import annotations

import gettext

import jinja2
import pytest

from contest.web.infra.constant_gettext import ConstantGettext

pytestmark = pytest.mark.unit


class Catalog(gettext.NullTranslations):
    def __init__(self, texts: dict[str, str]) -> None:
        super().__init__()
        self.texts = texts

    def gettext(self, message: str) -> str:
        return self.texts.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


CATALOG = Catalog({
    "Log out": "退出登录",
    "Scored": "已评",
    "Image %(n)s": "第 %(n)s 张",
    "Don't": "Don't",  # escaping would change it: left to the call
    "Markup": "<b>粗</b>",
    "Percent": "100%%",  # the call formats it to "100%"
})


def environment(*, folding: bool, translations: gettext.NullTranslations = CATALOG) -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n", *([ConstantGettext] if folding else [])])
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    env.extend(constant_translations=translations)
    return env


SNIPPETS = [
    '{{ _("Log out") }}',
    '<a aria-label="{{ _("Scored") }}">{{ _("Scored") }} {{ n }}</a>',
    '{{ _("Image %(n)s", n=n) }}',
    "{{ _('Don\\'t') }}",
    '{{ _("Markup") }}',
    '{{ _("Percent") }}',
    '{{ _("Not in the catalog") }}',
    '{% set label = _("Scored") %}[{{ label }}]',
    '{{ f(_("Log out")) }}',
    '{{ _ }}',
    '{{ (_("Scored")) ~ "!" }}',
]


@pytest.mark.parametrize("source", SNIPPETS)
def test_a_folded_template_renders_what_the_call_renders(source):
    context = {"n": 3, "f": lambda text: f"<{text}>"}
    folded = environment(folding=True).from_string(source).render(context)
    called = environment(folding=False).from_string(source).render(context)
    assert folded == called


def test_literals_become_constants_and_the_rest_stay_calls():
    env = environment(folding=True)
    code = env.compile('{{ _("Log out") }}|{{ _("Image %(n)s", n=1) }}|{{ _("Markup") }}|{{ _("Don\'t") }}',
                       raw=True)
    assert "退出登录" in code
    assert code.count("context.call(") == 3  # the call with an argument, the markup and the apostrophe


def test_each_locale_folds_its_own_translation():
    english = environment(folding=True, translations=gettext.NullTranslations())
    assert english.from_string('{{ _("Log out") }}').render() == "Log out"
    assert environment(folding=True).from_string('{{ _("Log out") }}').render() == "退出登录"
