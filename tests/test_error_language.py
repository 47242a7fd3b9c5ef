"""Errors in the run's language (issue 12): every problem/fix text siting writes has Chinese.

The scan reads siting/ with ``ast``: every ``SitingError(...)`` (and subclass) call, and the
two wrappers that build them (``_raise`` in the rule catalogue, ``check.error`` in the
configuration), with a literal or f-string problem or fix. Each must have an entry in
:mod:`siting.error_texts_zh`; the failure message prints the lines to add. Values inserted
by the code travel into the Chinese text as parameters (checked with hypothesis).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from siting.error_language import translate
from siting.error_texts_zh import ZH
from siting.errors import SitingError

SITING = Path(__file__).resolve().parents[1] / "siting"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _template(node: ast.AST) -> str | None:
    """The English template of a string expression (``{}`` per inserted value)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value.replace("{", "{{").replace("}", "}}")
                       if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        if left is None and right is None:
            return None
        return (left if left is not None else "{}") + (right if right is not None else "{}")
    return None  # a variable: a text passed on from another error, translated there


def error_texts() -> dict[str, str]:
    """Every literal problem/fix template in siting/ → where it is first written."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"))
             for path in sorted(SITING.rglob("*.py"))}
    names, grew = {"SitingError"}, True
    while grew:  # subclasses, wherever they are defined
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if (isinstance(node, ast.ClassDef) and node.name not in names
                        and any(getattr(b, "id", getattr(b, "attr", None)) in names
                                for b in node.bases)):
                    names.add(node.name)
                    grew = True
    found: dict[str, str] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if not (name in names or name == "_raise" or (name == "error" and len(node.args) == 4)):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            for position, key in ((2, "problem"), (3, "fix")):
                arg = node.args[position] if len(node.args) > position else keywords.get(key)
                text = None if arg is None else _template(arg)
                if text and text.replace("{}", "").strip():
                    found.setdefault(text, f"{path.relative_to(SITING.parent)}:{node.lineno}")
    return found


def _fields(text: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]


def test_scan_finds_the_errors():
    texts = error_texts()
    assert len(texts) > 500  # 743 when written: the scan sees the call sites
    assert "{} rows have negative population" in texts
    assert "must be > 0 metres" in texts


def test_every_error_text_has_chinese():
    missing = {text: where for text, where in error_texts().items() if text not in ZH}
    lines = "\n".join(f"    {text!r}:\n        '',  # {where}" for text, where in missing.items())
    assert not missing, (f"{len(missing)} error texts have no Chinese in "
                         f"siting/error_texts_zh.py; add:\n{lines}")


def test_chinese_templates_take_the_same_values():
    wrong = []
    for english, chinese in ZH.items():
        n = len(_fields(english))
        if (any(f != "" for f in _fields(english))
                or sorted(_fields(chinese), key=lambda f: int(f) if f.isdigit() else -1)
                != [str(i) for i in range(n)]
                or not CJK.search(chinese)):
            wrong.append((english, chinese))
    assert not wrong, wrong  # {0}..{n-1} once each, for the n values; and Chinese text


values = st.text(alphabet="0123456789abcdefxyz_.", min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(k for k in ZH if "{}" in k)), st.lists(values, min_size=12,
                                                                      max_size=12))
def test_values_are_carried_into_the_chinese(english, drawn):
    n = len(_fields(english))
    args = drawn[:n]
    out = translate(english.format(*args), "zh")
    assert CJK.search(out), (english, out)
    for value in args:
        assert value in out, (english, args, out)


def test_messages_in_both_languages():
    from siting.config import ConfigError

    exc = SitingError("cells.population", {0: -5.0}, "1 rows have negative population",
                      "population counts must be >= 0; check the source column")
    assert exc.message("en") == str(exc)
    assert exc.message("zh") == ("cells.population={0: -5.0}：有 1 行人口为负。修改方法："
                                 "人口计数必须 >= 0；请检查源数据列")
    nested = ConfigError("run.yaml: inputs.cells.population", 3, exc.problem, exc.fix)
    assert "有 1 行人口为负" in nested.message("zh")  # passed on, still translated
    assert translate("a sentence no template knows", "zh") == "a sentence no template knows"
    assert translate("1 rows have negative population", "en") == "1 rows have negative population"


def _cli(*argv):
    import contextlib
    import io

    from siting.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = main([str(a) for a in argv])
    return rc, err.getvalue()


def test_cli_prints_the_run_language(tmp_path):
    bad = "rules: [GB50180-KG]\ninputs: {example: town}\nassess: {detour: 0.5}\n"
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    rc, err = _cli("check", path, "--lang", "zh")
    assert rc == 2 and err.count("\n") == 1
    assert err.startswith("siting: 错误：") and "detour" in err and "0.5" in err
    assert "修改方法：例如填 1.3（街道路程比直线长）" in err and "Fix:" not in err
    rc, err = _cli("check", path, "--lang", "en")
    assert rc == 2 and err.startswith("siting: error:") and "Fix: give e.g. 1.3" in err
    # the configuration's own language, even when the error is in the configuration
    for lang, marker in (("en", "Fix:"), ("zh", "修改方法")):
        path.write_text(bad + f"outputs: {{lang: {lang}}}\n", encoding="utf-8")
        rc, err = _cli("check", path)
        assert rc == 2 and err.count("\n") == 1 and marker in err, err
    path.write_text(bad, encoding="utf-8")
    rc, err = _cli("check", path)
    zh, en = err.splitlines()  # none chosen: Chinese first, then English
    assert "修改方法" in zh and "Fix:" in en


def test_a_failed_district_reads_in_the_report_language(monkeypatch, tmp_path):
    import siting.report.batch as rb
    from siting.errors import PopulationError

    def broken(*args, **kwargs):
        raise PopulationError("cells.population", {0: -5.0}, "1 rows have negative population",
                              "population counts must be >= 0; check the source column")

    monkeypatch.setattr(rb, "run_district", broken)
    for lang, text in (("zh", "有 1 行人口为负"), ("en", "1 rows have negative population")):
        outcome, trace = rb.run_district_safely("West", tmp_path, None, [],
                                                rb.ReportOptions(lang=lang))
        assert outcome.status == "error" and text in outcome.error and trace


def test_errors_survive_pickling_between_processes():
    import pickle

    from siting.config import ConfigError

    for cls in (SitingError, ConfigError):
        exc = cls("cells.population", {0: -5.0}, "1 rows have negative population",
                  "population counts must be >= 0; check the source column")
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is cls and str(back) == str(exc)
        assert back.message("zh") == exc.message("zh")
    odd = SitingError("f", (x for x in ()), "must be a list", "write modes: [walk, drive]")
    back = pickle.loads(pickle.dumps(odd))  # a generator cannot travel: its text does
    assert back.value.startswith("<generator")
