"""An Atom feed (RFC 4287) of one search, newest meetings first.

Built with ElementTree, so every value from the corpus is escaped. Ids are
stable: an entry's id is its item_id under a configured tag: prefix, a feed's
id its canonical query string, so a reader never sees an item twice.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

from .labels import items_label, type_label
from .links import search_args
from .vocabulary import SearchParams

ATOM = "http://www.w3.org/2005/Atom"
XML = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("", ATOM)
# Characters XML 1.0 cannot carry at all, even escaped (PDF text has form feeds).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def rfc3339(moment: datetime) -> str:
    """UTC, to the second, with a Z: what Atom readers parse best."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def published_at(index_dir: Path) -> datetime:
    """When the live index was published: the feed changes only then."""
    try:
        return datetime.fromtimestamp((index_dir / "CURRENT").stat().st_mtime, UTC)
    except OSError:
        return datetime.now(UTC)


def atom_feed(
    params: SearchParams, results: dict, hits: list[dict], site: dict
) -> bytes:
    """The feed document.

    ``site`` holds base_url, id_prefix, updated (a datetime), and the paths of
    the feed itself (self_path) and of the same search as a page (html_path).
    """
    feed = ET.Element(f"{{{ATOM}}}feed", {f"{{{XML}}}lang": "sv"})
    args = urlencode(
        search_args(params, sort=None, page=None, per_page=None), doseq=True
    )
    _text(feed, "id", f"{site['id_prefix']}:search?{args}")
    _text(feed, "title", _title(params))
    total = items_label(results["total"])
    _text(feed, "subtitle", f"{total} matchar sökningen; nyaste mötet först")
    _text(feed, "updated", rfc3339(site["updated"]))
    _link(feed, "self", site["base_url"] + site["self_path"], "application/atom+xml")
    _link(feed, "alternate", site["base_url"] + site["html_path"], "text/html")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", "UmeBrå – Umeå brotts- och drogförebyggande råd")
    _text(feed, "generator", "UmeBrå-sök")
    for hit in hits:
        feed.append(_entry(hit, site))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# Atom requires an entry's <updated>; an undated item gets the earliest
# instant there is, so no reader ever shows it as new, and no <published>.
UNDATED = "1970-01-01T00:00:00Z"


def entry_stamp(hit: dict) -> str | None:
    """The item's meeting or signing day, or its period's first; None: undated."""
    return f"{hit['date']}T00:00:00Z" if hit.get("date") else None


def _entry(hit: dict, site: dict) -> ET.Element:
    """One agenda item, dated as its document states (or as the oldest possible)."""
    entry = ET.Element(f"{{{ATOM}}}entry")
    stamp = entry_stamp(hit)
    _text(entry, "id", f"{site['id_prefix']}:item:{quote(hit['item_id'], safe='')}")
    _text(entry, "title", f"{hit['item_title'].rstrip(' .:')} – {hit['title']}")
    _text(entry, "updated", stamp or UNDATED)
    if stamp:
        _text(entry, "published", stamp)
    _link(entry, "alternate", site["base_url"] + hit["url"], "text/html")
    _link(entry, "related", site["base_url"] + hit["file_url"], None)
    ET.SubElement(
        entry, f"{{{ATOM}}}category", term=hit["doc_type"], label=hit["type_label"]
    )
    _text(entry, "summary", _summary(hit), type="html")
    return entry


def _summary(hit: dict) -> str:
    """HTML (escaped once more by ElementTree): date, presenters, fragments."""
    parts = [f"<p>{hit['date_label']} · {escape(hit['title'])}</p>"]
    if hit["presenters"]:
        parts.append(f"<p>Föredragande: {escape(', '.join(hit['presenters']))}</p>")
    for decision in hit["decisions"]:
        parts.append(f"<p><strong>Beslut:</strong> {escape(decision)}</p>")
    parts += [f"<p>{fragment}</p>" for fragment in hit["highlights"]]  # escaped
    return "\n".join(parts)


def _title(params: SearchParams) -> str:
    """The words and the filters, so two feeds in one reader can be told apart."""
    span = None
    if params.date_from or params.date_to:
        span = f"{params.date_from or '…'} – {params.date_to or '…'}"
    filters = [
        ", ".join(params.years),
        span,
        type_label(params.doc_type) if params.doc_type else None,
        params.presenter,
        "endast beslut" if params.has_decision else None,
    ]
    extra = ", ".join(f for f in filters if f)
    if not params.q.strip():
        return "UmeBrå-sök: " + (extra or "alla punkter")
    return f"UmeBrå-sök: ”{params.q}”" + (f" ({extra})" if extra else "")


def _text(parent: ET.Element, tag: str, text: str, **attrs) -> ET.Element:
    """An Atom text element; characters XML cannot carry become spaces."""
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = NOT_XML.sub(" ", text)
    return element


def _link(parent: ET.Element, rel: str, href: str, mime: str | None) -> None:
    """An Atom link; readers pick by rel and type."""
    attrs = {"rel": rel, "href": href}
    if mime:
        attrs["type"] = mime
    ET.SubElement(parent, f"{{{ATOM}}}link", attrs)
