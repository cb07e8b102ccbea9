"""One self-contained HTML page of headed sections: text, tables and Altair charts.

The Vega JavaScript is embedded once for the whole page (from vl-convert's bundle) so the report opens
offline, from an e-mail attachment or a USB stick; only when vl-convert is missing do the charts load
Vega from its public CDN, and the page says so.
"""

from __future__ import annotations

import functools
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f3f3f3; } .note { color: #666; font-size: 0.85rem; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #b42318; font-weight: 600; }
"""


@dataclass
class Page:
    """Build a report section by section, then `render()` it to one HTML string."""

    title: str
    parts: list[str] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def text(self, text: str, cls: str = "") -> None:
        attr = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{attr}>{html.escape(text)}</p>")

    def table(self, frame: pd.DataFrame, max_rows: int = 200) -> None:
        shown = frame.head(max_rows)
        self.parts.append(shown.to_html(index=False, na_rep="", escape=True, border=0,
                                        float_format=_number))
        if len(frame) > max_rows:
            self.text(f"… and {len(frame) - max_rows} more rows (see the CSV or Excel export).", "note")

    def chart(self, chart: alt.TopLevelMixin) -> None:
        div = f"chart{len(self.charts)}"
        with alt.data_transformers.disable_max_rows():
            self.charts.append({"div": div, "spec": chart.to_dict()})
        self.parts.append(f'<div id="{div}"></div>')

    def render(self) -> str:
        script, note = _vega_script()
        embeds = "\n".join(f"vegaEmbed('#{c['div']}', {_script_json(c['spec'])}, {{actions: false}})"
                           f".catch(console.error);" for c in self.charts)
        body = "\n".join(self.parts)
        return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"UTF-8\">"
                f"<title>{html.escape(self.title)}</title><style>{STYLE}</style>\n{script}\n</head><body>"
                f"<h1>{html.escape(self.title)}</h1>\n{note}{body}\n"
                f"<script type=\"text/javascript\">\n{embeds}\n</script></body></html>\n")


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vl-convert's Vega + Vega-Lite + vega-embed bundle. Building it takes ~10 s, so it is kept on disk
    (under $XDG_CACHE_HOME/workbench) after the first report."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "workbench"
    path = cache / f"vega-embed-bundle-{version}-{getattr(vlc, '__version__', '')}.js"
    if path.exists():
        return path.read_text(encoding="utf-8")
    bundle = vlc.javascript_bundle(vl_version=version)
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return bundle


def _script_json(value: object) -> str:
    """JSON that is safe inside a <script> element: a "</script>" in a chart's data (a goal name, a student
    ID from someone else's files) must not end the script and start markup."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _number(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _vega_script() -> tuple[str, str]:
    try:
        bundle = vega_bundle()
        return f'<script type="text/javascript">\n{bundle}\n</script>', ""
    except ImportError:
        cdn = "https://cdn.jsdelivr.net/npm"
        tags = "".join(f'<script src="{cdn}/{lib}"></script>' for lib in
                       ("vega@6", f"vega-lite@{alt.SCHEMA_VERSION.lstrip('v')}", "vega-embed@7"))
        return tags, ('<p class="note">Charts need an internet connection to draw (install vl-convert-python '
                      'to embed them in the page).</p>')
