"""A content fingerprint of a user's function, so reruns notice when it was edited.

A batch skips districts whose fingerprint matches the last run. For a ``proposals=``
callable of the user's own, its name says nothing: editing the body of ``my_sites`` in a
notebook and running again must redo the districts. The digest therefore covers what the
function computes with — its bytecode and constants (nested functions and lambdas too), its
default arguments, the values in its closure, the module-level names it reads (constants,
and helper functions of the user's, followed a few levels deep), and for ``functools.partial``
objects, bound methods and callable instances, the bound arguments and the instance's
attributes. Line numbers and comments are left out: moving a function down a file or
rewording a comment does not redo a batch.

Values that cannot be read as content (open files, connections) enter by type name only;
library functions (anything outside ``__main__`` and the user's own modules, i.e. anything
installed in site-packages or the standard library) enter by module and name, since their
code changes with their version, not with the user's edits.
"""

from __future__ import annotations

import functools
import hashlib
import sys
import types
from collections.abc import Callable
from typing import Any

__all__ = ["callable_fingerprint", "describe"]

#: How deep helpers and containers are followed (cycles are cut as well).
MAX_DEPTH = 6
#: Longest sequence or mapping read element by element; longer ones enter by a sample.
MAX_ITEMS = 10_000


def callable_fingerprint(fn: Callable[..., Any] | None) -> str | None:
    """SHA-256 hex digest of what ``fn`` computes with (``None`` for ``None``).

    Parameters
    ----------
    fn
        A function, lambda, ``functools.partial``, bound method or callable object.

    Returns
    -------
    str or None
        Equal for two definitions with the same code, defaults, closure and globals read;
        different when any of them changes.

    Examples
    --------
    >>> def f(area, assessment): return None
    >>> callable_fingerprint(f) == callable_fingerprint(f)
    True
    """
    if fn is None:
        return None
    digest = hashlib.sha256()
    _feed(digest, fn, 0, set())
    return digest.hexdigest()


def _library(obj: Any) -> bool:
    """Whether ``obj`` (a function or class) is installed code rather than the user's."""
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    if module is None or getattr(obj, "__module__", "") == "__main__":
        return False
    path = getattr(module, "__file__", None) or ""
    if not path:  # built-in modules
        return True
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return "site-packages" in path or "dist-packages" in path or any(
        path.startswith(p + "/lib") for p in prefixes)


def _feed(digest: Any, obj: Any, depth: int, seen: set[int]) -> None:
    put = digest.update
    if depth > MAX_DEPTH:
        put(b"<deep>")
        return
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        put(f"{type(obj).__name__}:{obj!r};".encode("utf-8", "surrogatepass"))
        return
    if id(obj) in seen:
        put(b"<cycle>")
        return
    seen = seen | {id(obj)}
    if isinstance(obj, types.CodeType):
        _feed_code(digest, obj, depth, seen)
    elif isinstance(obj, functools.partial):
        put(b"partial(")
        for part in (obj.func, obj.args, obj.keywords):
            _feed(digest, part, depth + 1, seen)
        put(b")")
    elif isinstance(obj, types.MethodType):
        put(b"method(")
        _feed(digest, obj.__func__, depth + 1, seen)
        _feed(digest, obj.__self__, depth + 1, seen)
        put(b")")
    elif isinstance(obj, types.FunctionType):
        _feed_function(digest, obj, depth, seen)
    elif isinstance(obj, (types.BuiltinFunctionType, type, types.ModuleType)):
        put(f"{type(obj).__name__}:{getattr(obj, '__module__', '')}."
            f"{getattr(obj, '__qualname__', getattr(obj, '__name__', ''))};".encode())
        if isinstance(obj, type) and not _library(obj):
            # the user's own class: its methods are part of what it computes
            for name, value in sorted(vars(obj).items()):
                if isinstance(value, (types.FunctionType, staticmethod, classmethod)):
                    put(name.encode())
                    _feed(digest, getattr(value, "__func__", value), depth + 1, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=repr) if isinstance(obj, (set, frozenset)) else list(obj)
        put(f"{type(obj).__name__}[{len(items)}](".encode())
        for item in items[:MAX_ITEMS]:
            _feed(digest, item, depth + 1, seen)
        put(b")")
    elif isinstance(obj, dict):
        put(f"dict[{len(obj)}](".encode())
        for key in sorted(obj, key=repr)[:MAX_ITEMS]:
            _feed(digest, key, depth + 1, seen)
            _feed(digest, obj[key], depth + 1, seen)
        put(b")")
    else:
        _feed_other(digest, obj, depth, seen)


def _feed_code(digest: Any, code: types.CodeType, depth: int, seen: set[int]) -> None:
    # bytecode, constants and names; not co_firstlineno / line tables (moving is no edit)
    digest.update(code.co_code)
    for part in (code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars):
        digest.update(repr(part).encode())
    digest.update(f"{code.co_argcount},{code.co_kwonlyargcount},{code.co_flags};".encode())
    for const in code.co_consts:
        _feed(digest, const, depth + 1, seen)


def _feed_function(digest: Any, fn: types.FunctionType, depth: int, seen: set[int]) -> None:
    put = digest.update
    put(f"function:{fn.__module__}.{fn.__qualname__};".encode())
    if _library(fn):
        return
    _feed_code(digest, fn.__code__, depth, seen)
    _feed(digest, fn.__defaults__, depth + 1, seen)
    _feed(digest, fn.__kwdefaults__, depth + 1, seen)
    for cell in fn.__closure__ or ():
        try:
            _feed(digest, cell.cell_contents, depth + 1, seen)
        except ValueError:  # an empty cell (a name assigned after the function was made)
            put(b"<empty cell>")
    # the module-level names the code reads (and those of nested code objects)
    for name in sorted(_global_names(fn.__code__)):
        if name in fn.__globals__:
            put(f"global {name}=".encode())
            _feed(digest, fn.__globals__[name], depth + 1, seen)


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _feed_other(digest: Any, obj: Any, depth: int, seen: set[int]) -> None:
    put = digest.update
    cls = type(obj)
    put(f"object:{cls.__module__}.{cls.__qualname__};".encode())
    fingerprint = getattr(obj, "content_fingerprint", None)
    if callable(fingerprint):  # objects that know their content (siting's own)
        _feed(digest, fingerprint(), depth + 1, seen)
        return
    try:
        import numpy as np
        import pandas as pd
    except ImportError:  # pragma: no cover - both are dependencies
        np = pd = None
    if np is not None and isinstance(obj, np.ndarray):
        put(f"{obj.dtype}{obj.shape}".encode())
        put(obj.tobytes() if obj.dtype != object else repr(obj.tolist()).encode())
        return
    if pd is not None and isinstance(obj, (pd.DataFrame, pd.Series, pd.Index)):
        try:
            put(pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes())
        except TypeError:  # unhashable cells (lists, geometries without wkb): their text
            put(obj.to_string().encode())
        return
    if pd is not None and np is not None and isinstance(obj, np.generic):
        put(repr(obj.item()).encode())
        return
    if not _library(cls):
        # the user's own class: its methods, then what the instance holds
        _feed(digest, cls, depth + 1, seen)
    state = getattr(obj, "__dict__", None)
    if isinstance(state, dict):
        _feed(digest, {k: v for k, v in state.items() if k != "__qualname__"}, depth + 1, seen)
        return
    text = repr(obj)
    # a repr naming a memory address changes every run: the type alone is more honest
    if " at 0x" not in text and len(text) < 100_000:
        put(text.encode("utf-8", "surrogatepass"))


def describe(fn: Callable[..., Any] | None) -> str | None:
    """A readable name for ``fn`` (shown next to its digest).

    Parameters
    ----------
    fn
        Any callable, or ``None``.

    Returns
    -------
    str or None
        ``module.qualname`` of the function or of the callable's class.
    """
    if fn is None:
        return None
    name = getattr(fn, "__qualname__", None) or type(fn).__qualname__
    module = getattr(fn, "__module__", None) or type(fn).__module__
    return f"{module}.{name}" if module else str(name)
