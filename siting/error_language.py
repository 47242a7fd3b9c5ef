"""Error messages in the run's language: Chinese texts for the problems and fixes.

Call sites keep writing English, as f-strings with the values in them; the Chinese text is
found at display time by matching the English against the templates of
:mod:`siting.error_texts_zh` (each ``{}`` there matches the value the code inserted), and the
values are put into the Chinese template in its own word order. A text with no template (a
message from a library, a new call site not yet translated) stays English rather than being
lost; tests/test_error_language.py keeps every literal text in siting/ translated.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

__all__ = ["LANGS", "translate", "error_message"]

LANGS = ("zh", "en")


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, str], list[tuple[re.Pattern[str], str]]]:
    from .error_texts_zh import ZH

    exact: dict[str, str] = {}
    patterns: list[tuple[int, re.Pattern[str], str]] = []
    for english, chinese in ZH.items():
        parts = list(string.Formatter().parse(english))
        if all(field is None for _, field, _, _ in parts):
            exact[english.replace("{{", "{").replace("}}", "}")] = chinese.replace(
                "{{", "{").replace("}}", "}")
            continue
        regex, literal = "", 0
        for text, field, _, _ in parts:
            regex += re.escape(text)
            literal += len(text)
            if field is not None:
                regex += "(.*?)"
        patterns.append((literal, re.compile(regex, re.DOTALL), chinese))
    # the most specific template first: "{} rows have negative population" before "{} in {}"
    patterns.sort(key=lambda item: -item[0])
    return exact, [(regex, chinese) for _, regex, chinese in patterns]


def translate(text: str, lang: str = "zh") -> str:
    """``text`` (an error's English problem or fix) in ``lang``.

    Parameters
    ----------
    text
        The English text as the code wrote it, values included.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The Chinese text with the same values, or ``text`` itself for ``"en"`` and for texts
        no template matches.

    Examples
    --------
    >>> translate("3 rows have negative population")
    '有 3 行人口为负'
    """
    if lang != "zh" or not isinstance(text, str) or not text:
        return text
    exact, patterns = _patterns()
    if text in exact:
        return exact[text]
    for regex, chinese in patterns:
        match = regex.fullmatch(text)
        if match:
            return chinese.format(*match.groups())
    return text


def error_message(field: str, shown: str, problem: str, fix: str, lang: str = "en") -> str:
    """One error line in ``lang``: the field and value, what is wrong, and the fix.

    Parameters
    ----------
    field, shown
        The input field and the offending value as shown (already shortened).
    problem, fix
        The English texts; translated for ``"zh"``.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        ``field=value: problem. Fix: fix`` or ``field=value：问题。修改方法：fix``.
    """
    if lang == "zh":
        return f"{field}={shown}：{translate(problem, 'zh')}。修改方法：{translate(fix, 'zh')}"
    return f"{field}={shown}: {problem}. Fix: {fix}"
