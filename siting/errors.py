"""Errors that teach: each names the field, the value it got and how to fix it."""

from __future__ import annotations


class SitingError(ValueError):
    """Base class for every error siting raises on bad input.

    Parameters
    ----------
    field
        The input field, column, argument or file the problem is in.
    value
        The offending value (shown with ``repr``; long values are shortened).
    fix
        One sentence telling the user what to do instead.
    problem
        What is wrong, in plain words.
    """

    def __init__(self, field: str, value: object, problem: str, fix: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        self.fix = fix
        shown = _short_repr(value)
        if len(shown) > 200:
            shown = shown[:197] + "..."
        self.shown = shown
        super().__init__(f"{field}={shown}: {problem}. Fix: {fix}")

    def __reduce__(self):
        # worker processes and Dask send errors back pickled: rebuild with all four parts
        # (the default would call SitingError(message) and fail)
        import pickle

        value = self.value
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001  an unpicklable value travels as its shown text
            value = self.shown
        return (type(self), (self.field, value, self.problem, self.fix))

    def message(self, lang: str = "en") -> str:
        """The error in ``lang`` (``"zh"`` or ``"en"``): field, value, problem and fix.

        Parameters
        ----------
        lang
            ``"zh"`` translates the problem and the fix (:mod:`siting.error_language`);
            values stay as given.

        Returns
        -------
        str
            ``field=value: problem. Fix: fix`` (English) or its Chinese form.

        Examples
        --------
        >>> SitingError("x", -1, "must be > 0", "give e.g. 500").message("zh")
        'x=-1：必须 > 0。修改方法：例如填 500'
        """
        from .error_language import error_message

        return error_message(self.field, self.shown, self.problem, self.fix, lang)


def _short_repr(value: object) -> str:
    # bounded before it is built: repr() of an alias-bomb tree from YAML never ends
    import reprlib

    short = reprlib.Repr()
    short.maxlevel, short.maxdict, short.maxlist, short.maxtuple = 4, 10, 20, 20
    short.maxset = short.maxfrozenset = short.maxdeque = 20
    short.maxstring = short.maxother = 400
    if isinstance(value, str):
        return repr(value[:400])
    return short.repr(value)


class CRSError(SitingError):
    """A layer has no CRS, a geographic CRS where metres are needed, or CRSs disagree."""


class PopulationError(SitingError):
    """Population values are missing, negative or not numeric."""


class GeometryError(SitingError):
    """Geometries are empty, invalid or of the wrong type."""


class NetworkError(SitingError):
    """A street network cannot be built, is empty, or is split into disconnected pieces."""


class SnapError(SitingError):
    """Points lie beyond the maximum snap distance from every street."""


class UnitError(SitingError):
    """A quantity has an unknown unit or a unit of the wrong dimension."""


class RuleError(SitingError):
    """A rule or rule-catalogue entry is malformed."""


class InfeasibleError(SitingError):
    """An optimisation target cannot be met by any choice of candidate sites."""
