"""Reruns notice an edited ``proposals=`` callable (hostile input, issue 12 item 4).

Each pair below is built the way a notebook user edits code: the same name, a changed body,
default, closure value or module constant. Expected: equal digests for equal code, different
ones for any change that could change the result; a comment or a move down the file is no
change. The batch half reruns the planted town with the edited function and checks the
districts are redone, not skipped.
"""

from __future__ import annotations

import functools
import textwrap

import numpy as np

from siting.callable_digest import callable_fingerprint, describe


def define(source: str, name: str = "sites", **globals_):
    """``name`` from ``source`` executed in a fresh module namespace (as a notebook cell)."""
    namespace = {"__name__": "__main__", **globals_}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
    return namespace[name]


BODY = """
def sites(area, assessment):
    return area.facilities.head({n})
"""


def test_same_code_same_digest_edits_differ():
    a, b = define(BODY.format(n=2)), define(BODY.format(n=2))
    assert a is not b and callable_fingerprint(a) == callable_fingerprint(b)
    assert callable_fingerprint(define(BODY.format(n=3))) != callable_fingerprint(a)
    # a comment, blank lines or a move down the file change nothing that is computed
    moved = define("\n\n\n# my sites\n" + BODY.format(n=2).replace("return", "# why\n    return"))
    assert callable_fingerprint(moved) == callable_fingerprint(a)
    assert describe(a) == "__main__.sites"
    # running it (Python 3.11 specialises hot bytecode in place) changes nothing either
    hot = define("def sites(a, b):\n    t = 0\n    for i in range(9):\n        t += a * i\n"
                 "    return t\n")
    before = callable_fingerprint(hot)
    for _ in range(5000):
        hot(2, None)
    assert callable_fingerprint(hot) == before


def test_defaults_closure_globals_and_nested_code():
    with_default = "def sites(area, assessment, k={k}):\n    return k\n"
    assert (callable_fingerprint(define(with_default.format(k=1)))
            != callable_fingerprint(define(with_default.format(k=2))))
    closure = ("def make(k):\n    def sites(area, assessment):\n        return k\n"
               "    return sites\n")
    make = define(closure, "make")
    assert callable_fingerprint(make(1)) == callable_fingerprint(make(1))
    assert callable_fingerprint(make(1)) != callable_fingerprint(make(2))
    reads = "def sites(area, assessment):\n    return RADIUS\n"
    assert (callable_fingerprint(define(reads, RADIUS=300))
            != callable_fingerprint(define(reads, RADIUS=500)))
    helper = ("def helper(x):\n    return x * {m}\n"
              "def sites(area, assessment):\n    return [helper(v) for v in (1, 2)]\n")
    assert (callable_fingerprint(define(helper.format(m=2)))
            != callable_fingerprint(define(helper.format(m=3))))  # helper and comprehension
    arrays = "def sites(area, assessment):\n    return W\n"
    assert (callable_fingerprint(define(arrays, W=np.array([1.0, 2.0])))
            != callable_fingerprint(define(arrays, W=np.array([1.0, 2.5]))))


def test_partial_methods_and_callable_objects():
    base = define("def sites(area, assessment, k=1):\n    return k\n")
    assert (callable_fingerprint(functools.partial(base, k=1))
            != callable_fingerprint(functools.partial(base, k=2)))
    cls = """
class Picker:
    def __init__(self, k):
        self.k = k
    def __call__(self, area, assessment):
        return self.k {op} 1
"""
    plus, minus = define(cls.format(op="+"), "Picker"), define(cls.format(op="-"), "Picker")
    assert callable_fingerprint(plus(1)) == callable_fingerprint(plus(1))
    assert callable_fingerprint(plus(1)) != callable_fingerprint(plus(2))   # state
    assert callable_fingerprint(plus(1)) != callable_fingerprint(minus(1))  # method body
    method = define(cls.format(op="+") + "    def pick(self, a, b):\n        return self.k\n",
                    "Picker")
    assert callable_fingerprint(method(1).pick) != callable_fingerprint(method(2).pick)
    lam = define("sites = lambda area, assessment: 1\n")
    assert callable_fingerprint(lam) != callable_fingerprint(define("sites = lambda a, b: 2\n"))
    assert callable_fingerprint(None) is None
    # a cycle (an object holding itself) ends
    obj = plus(1)
    obj.me = obj
    assert len(callable_fingerprint(obj)) == 64


def test_proposals_by_propose_settings_enter():
    from siting.report import proposals_by_propose

    assert (callable_fingerprint(proposals_by_propose(seed=1))
            == callable_fingerprint(proposals_by_propose(seed=1)))
    assert (callable_fingerprint(proposals_by_propose(seed=1))
            != callable_fingerprint(proposals_by_propose(seed=2)))


def test_batch_rerun_after_editing_the_callable_redoes_districts(tmp_path):
    import geopandas as gpd
    import shapely

    import siting.network as sn
    from siting.config import rules_from_spec
    from siting.report import ReportOptions, prepare_inputs, write_reports

    x0, y0, crs = 350_000.0, 3_500_000.0, "EPSG:32651"
    districts = gpd.GeoDataFrame({"district": ["West", "East"]}, crs=crs, geometry=[
        shapely.box(x0, y0, x0 + 1000, y0 + 1000),
        shapely.box(x0 + 1000, y0, x0 + 2000, y0 + 1000)])
    xs, ys = np.meshgrid(np.arange(30, 2000, 200), np.arange(40, 1000, 200))
    points = shapely.points(x0 + xs.ravel(), y0 + ys.ravel())
    cells = gpd.GeoDataFrame({"population": np.full(len(points), 10.0)}, crs=crs,
                             geometry=points)
    facilities = gpd.GeoDataFrame({"kind": ["kindergarten"]}, crs=crs,
                                  geometry=[shapely.Point(x0 + 500, y0 + 500)])
    lines = [shapely.LineString([(x0, y0 + k), (x0 + 2000, y0 + k)]) for k in range(0, 1001, 100)]
    lines += [shapely.LineString([(x0 + k, y0), (x0 + k, y0 + 1000)]) for k in range(0, 2001, 100)]
    walk = sn.from_lines(gpd.GeoDataFrame(geometry=lines, crs=crs), "walk",
                         split_at_crossings=True)
    inputs = prepare_inputs(districts, cells, facilities, {"walk": walk})
    rules = rules_from_spec(["GB50180-KG"])
    source = """
import geopandas as gpd
import shapely
def sites(area, assessment):
    return gpd.GeoDataFrame({{"kind": ["kindergarten"], "newly_covered": [{n}]}},
                            geometry=[shapely.Point({x}, {y})], crs=area.crs)
"""

    def run(n):
        options = ReportOptions(maps=None, isochrones=None,
                                proposals=define(source.format(n=n, x=x0 + 1500, y=y0 + 500)))
        result = write_reports(inputs, rules, tmp_path, options=options, progress=False)
        return {o.district: o.status for o in result.outcomes}

    assert run(5) == {"West": "ok", "East": "ok"}
    assert run(5) == {"West": "skipped", "East": "skipped"}   # same code: nothing redone
    assert run(7) == {"West": "ok", "East": "ok"}             # edited body: both redone
