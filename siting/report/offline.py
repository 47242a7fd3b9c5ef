"""Self-contained HTML: folium maps that open with no internet.

folium pages load Leaflet, jQuery, Bootstrap and Font Awesome from CDNs and render blank
offline (government intranets, field laptops, the browser tests). :func:`make_offline` swaps
those links for the Leaflet release vendored in ``siting/report/assets`` (see its README),
inlined into the page, so *any* way of writing the map (``save``, ``_repr_html_``,
``get_root().render()``) gives a page that needs no network for its code. Basemap tiles are
still fetched when online and simply stay blank offline; the overlays draw either way.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import folium
from branca.element import Element, Figure

from ..errors import SitingError

LEAFLET_VERSION = "1.9.4"
_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
           "marker-shadow.png")
# <script src="http..."> and <link ... href="http..."> in a rendered page: anything fetched
# over the network when the page opens (tile URLs live inside JS strings and do not match)
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)["']""",
    re.IGNORECASE)


def _asset_bytes(name: str) -> bytes:
    return resources.files("siting.report").joinpath("assets", name).read_bytes()


def _data_uri(name: str, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(_asset_bytes(name)).decode("ascii")


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet with its ``url(images/…)`` references turned into data URIs."""
    css = _asset_bytes("leaflet.css").decode("utf-8")
    for image in _IMAGES:
        css = css.replace(f"url(images/{image})", f"url({_data_uri(image, 'image/png')})")
    return css


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet's JavaScript, plus default marker icons pointing at data URIs.

    Leaflet finds its default marker image by reading the CSS ``background-image`` of a probe
    element and stripping ``marker-icon.png`` from the URL; with a data URI that fails and
    markers would request ``nullmarker-icon.png``. Setting the icon URLs explicitly avoids it.
    """
    js = _asset_bytes("leaflet.js").decode("utf-8")
    icons = (
        "L.Icon.Default.imagePath='';L.Icon.Default.mergeOptions({"
        f"iconUrl:'{_data_uri('marker-icon.png', 'image/png')}',"
        f"iconRetinaUrl:'{_data_uri('marker-icon-2x.png', 'image/png')}',"
        f"shadowUrl:'{_data_uri('marker-shadow.png', 'image/png')}'}});"
    )
    # "</script" inside an inline script would end it early; Leaflet has none, but be safe
    return (js + "\n" + icons).replace("</script", "<\\/script")


class RawHtml(Element):
    """HTML inserted as is.

    branca's ``Element(text)`` compiles its text as a jinja2 template: slow for 150 kB of
    Leaflet, and wrong if the text ever held ``{{``. This element renders its text verbatim.
    """

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self.html = html

    def render(self, **kwargs: object) -> str:
        return self.html


def make_offline(fmap: folium.Map) -> folium.Map:
    """Make ``fmap`` self-contained: inline Leaflet, drop folium's other CDN assets.

    The map's own ``default_js`` / ``default_css`` (Leaflet, jQuery, Bootstrap, awesome
    markers) are replaced by inline copies of Leaflet only (see ``assets/README.md`` for why
    the others are not needed). Returns the same map, changed in place.
    """
    fmap.default_js = []
    fmap.default_css = []
    header = fmap.get_root().header
    # added at construction time, these come before anything rendered later into the header
    header.add_child(RawHtml(f"<style>{leaflet_css()}</style>"), name="siting_leaflet_css")
    header.add_child(RawHtml(f"<script>{leaflet_js()}</script>"), name="siting_leaflet_js")
    fmap._siting_offline = True  # type: ignore[attr-defined]
    return fmap


def external_assets(html: str) -> list[str]:
    """URLs of scripts, stylesheets, images or frames a page would fetch from the network."""
    return _EXTERNAL.findall(html)


def render_html(fmap: folium.Map | Figure) -> str:
    """The full HTML page of a map."""
    root = fmap.get_root() if isinstance(fmap, folium.Map) else fmap
    return root.render()


def save_map(fmap: folium.Map, path: str | Path, *, offline: bool | None = None) -> Path:
    """Write a map to an HTML file; with ``offline`` check that it needs no network.

    Parameters
    ----------
    fmap
        The map.
    path
        Output ``.html`` file.
    offline
        ``True`` makes the map self-contained first (:func:`make_offline`) and refuses to
        write a page that still links an external script or stylesheet (a folium plugin
        added by hand, say). ``None`` keeps the map as built.

    Returns
    -------
    The path written.
    """
    path = Path(path)
    if offline and not getattr(fmap, "_siting_offline", False):
        make_offline(fmap)
    html = render_html(fmap)
    if offline or getattr(fmap, "_siting_offline", False):
        links = external_assets(html)
        if links:
            raise SitingError(
                "offline", links[:5], "the map still loads these assets from the network "
                "(a folium plugin not vendored in siting/report/assets?)",
                "remove that plugin from the map, or write it with offline=False")
    path.write_text(html, encoding="utf-8")
    return path


__all__ = ["LEAFLET_VERSION", "external_assets", "leaflet_css", "leaflet_js", "make_offline",
           "render_html", "save_map", "RawHtml"]
