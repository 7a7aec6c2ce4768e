"""The search service: queries, filters, facets, paging and match spans.

Part of the engine seam (with ``queryparse``, ``synonyms``, ``fallbacks``,
``matching``, ``scoring``, ``columns`` and the indexer's ``schema``, ``build``
and ``analysis``). A request walks one way: parse and bound the text, score
it, then find the page's match spans; nothing here calls back. It speaks the
plain dicts of ``vocabulary`` to the web layer, so the HTML pages and the
JSON API are fed by the same functions and cannot drift apart; marking the
spans in HTML is theirs to do (``highlight``).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from urllib.parse import quote

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q

from indexer.store import SYNONYMS_FILE, live_generation

from .columns import ItemColumns
from .fallbacks import suggest, with_fallbacks
from .matching import TermMatcher
from .queryparse import (
    bound,
    expand_compounds,
    make_parser,
    parse,
    typed_without_diacritics,
)
from .scoring import Engine
from .synonyms import SynonymFile, expand_synonyms
from .vocabulary import (
    FACETS,
    MAX_QUERY_CHARS,
    SUGGEST_AT_MOST,
    Document,
    Hit,
    IndexUnavailable,
    Item,
    SearchParams,
    SearchResponse,
)

OCR_RANK_FACTOR = 0.8
RETRY_MAX_WORDS = 12  # longer queries that find nothing are not tried again


def _close_all(open_searchers: dict, lock: threading.Lock) -> None:
    with lock:
        searchers = [searcher for searcher, _ in open_searchers.values()]
        open_searchers.clear()
    for searcher in searchers:
        if not searcher.is_closed:
            searcher.close()


class SearchService:
    """Answers searches from the live index, picking up new generations."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._open: dict[int, tuple] = {}  # thread id -> (searcher, index)
        # Runs on close(), when the service is collected, or at exit: index
        # files are never left for the garbage collector to find open.
        self._finalizer = weakref.finalize(self, _close_all, self._open, self._lock)
        self._ix = None
        self._generation: Path | None = None
        self._view_key = None
        self._view_value: tuple[ItemColumns, Engine] | None = None
        self._synonyms = SynonymFile(self.index_dir / SYNONYMS_FILE)

    # --- the searcher -------------------------------------------------------

    def _index(self):
        """The live index; reopened when the indexer published a new generation."""
        live = live_generation(self.index_dir)
        if live is None:
            raise IndexUnavailable(f"no index in {self.index_dir}")
        with self._lock:
            if live != self._generation:
                self._ix = whoosh_index.open_dir(str(live))
                self._generation = live
                self._parser = make_parser(self._ix.schema)
                self._lenient_parser = make_parser(self._ix.schema, strict=False)
            return self._ix

    def _searcher(self):
        """A searcher per thread, refreshed when the index changed under it.

        Whoosh searchers are not safe to share between threads; each thread
        keeps its own, and the service keeps track of them all to close them.
        """
        ix = self._index()
        thread = threading.get_ident()
        with self._lock:
            current, owner = self._open.get(thread, (None, None))
        if current is None or owner is not ix or not current.up_to_date():
            # A fresh searcher, not refresh(): whoosh-reloaded's refresh reuses
            # segment readers with their old deletions, so changed and deleted
            # files stayed findable.
            if current is not None:
                current.close()
            current = ix.searcher()
        with self._lock:
            self._open[thread] = (current, ix)
        return current

    def close(self) -> None:
        """Close every searcher (and so the index files) this service opened."""
        self._finalizer()

    def _parse(self, text: str, searcher):
        """User text to engine query: synonyms, operators, fallbacks; None if empty.

        Swedish words are first looked for as themselves only. A query typed
        without å, ä and ö ("overgripande mal") folds all its words; one that
        finds nothing is tried again folded, so a word typed without its
        diacritics that is also a word of its own still finds something.
        """
        return self._parse_evaluated(text, searcher)[0]

    def _parse_evaluated(self, text: str, searcher):
        """``_parse``, with the query's matches when deciding on a retry needed them.

        The strict query is evaluated to see whether it finds anything; when
        it does, that evaluation is the search's own and is not done twice.
        """
        if not text.strip():
            return None, None
        text = expand_synonyms(text[:MAX_QUERY_CHARS], self._synonyms.groups())
        text = expand_compounds(text)
        if typed_without_diacritics(text):
            return self._parse_with(self._lenient_parser, text, searcher), None
        q = self._parse_with(self._parser, text, searcher)
        short = len(text.split()) <= RETRY_MAX_WORDS  # bounds a query's cost
        if q is None or not short:
            return q, None
        _, engine = self._view(searcher)
        matches = engine.evaluate(q, searcher)
        if matches.mask.any():
            return q, matches
        retried = self._parse_with(self._lenient_parser, text, searcher)
        return (retried, None) if retried is not None else (q, matches)

    def _parse_with(self, parser, text: str, searcher):
        q = parse(parser, text)
        if q is Q.NullQuery:
            return None
        return with_fallbacks(bound(q, searcher.reader()), searcher.reader())

    def suggest(self, text: str) -> str | None:
        """A "Menade du …?" spelling of the query that finds something, if any."""
        return self._suggest(text, self._searcher())

    def _suggest(self, text: str, searcher) -> str | None:
        # The request's own searcher: fetching another could close this one.
        suggestion = suggest(text[:MAX_QUERY_CHARS], searcher.reader())
        if suggestion is None:
            return None
        q = self._parse(suggestion, searcher)
        if q is None:
            return None
        _, engine = self._view(searcher)
        return suggestion if engine.evaluate(q, searcher).mask.any() else None

    # --- verbs ----------------------------------------------------------------

    def search(self, params: SearchParams) -> SearchResponse:
        """The contract's search response, each hit's match as text and spans.

        The engine scores every item at once, as arrays; filters and facet
        counts are masks and counts over the per-index columns; only the
        page's hits are loaded, with the spans of the words they matched.
        """
        searcher = self._searcher()
        q, matches = self._parse_evaluated(params.q, searcher)
        response: SearchResponse = {
            "query": params.q,
            "total": 0,
            "page": params.page,
            "per_page": params.per_page,
            "hits": [],
            "facets": {"year": {}, "doc_type": {}, "presenter": {}, "has_decision": {}},
        }
        if q is None:
            return response
        columns, engine = self._view(searcher)
        if matches is None:
            matches = engine.evaluate(q, searcher)
        # A scan reads less reliably than clean text: among near-equal items
        # the clean one (often the same text) comes first.
        matches.scores[columns.ocr] *= OCR_RANK_FACTOR
        mask = matches.mask
        allowed = columns.allowed(
            year=params.year,
            doc_type=params.doc_type,
            presenter=params.presenter,
            has_decision="true" if params.has_decision else None,
        )
        if allowed is not None:
            mask = mask & allowed
        total = int(np.count_nonzero(mask))
        response["total"] = total
        response["facets"] = _facets(columns.counts(mask))
        if total <= SUGGEST_AT_MOST:
            response["suggestion"] = self._suggest(params.q, searcher)
        start = (params.page - 1) * params.per_page
        end = start + params.per_page
        if params.sort == "date":
            docnums = columns.newest_first(mask, end)[start:]
        else:
            docnums = engine.top(matches, mask, end)[start:]
        if docnums:
            matcher = TermMatcher(q, searcher.reader())
            response["hits"] = [
                _hit(searcher.stored_fields(d), matches.scores[d], params.q, matcher)
                for d in docnums
            ]
        return response

    def _view(self, searcher) -> tuple[ItemColumns, Engine]:
        """Facet columns and engine of the index version this searcher reads.

        Built once per version and shared by every thread.
        """
        key = (self._generation, searcher.reader().generation())
        with self._lock:
            if self._view_key != key:
                reader = searcher.reader()
                self._view_value = (ItemColumns(reader), Engine(reader))
                self._view_key = key
            return self._view_value

    def document(self, doc_id: str, q: str = "") -> Document | None:
        """A document's metadata and all its items, with ``q``'s spans if given."""
        searcher = self._searcher()
        stored = [
            searcher.stored_fields(n) for n in searcher.document_numbers(doc_id=doc_id)
        ]
        if not stored:
            return None
        stored.sort(key=lambda s: s["item_number"])
        query = self._parse(q, searcher)
        matcher = TermMatcher(query, searcher.reader()) if query else None
        first = stored[0]
        meta: Document = dict(first.get("doc_meta") or {})
        meta.update(doc_id=doc_id, source=first["source"], doc_type=first["doc_type"])
        meta["items"] = [_item(s, matcher) for s in stored]
        return meta

    def documents(self) -> list[Document]:
        """Every document's metadata, newest first."""
        searcher = self._searcher()
        docs = []
        for fields in searcher.documents(item_number=1):
            meta = dict(fields.get("doc_meta") or {})
            meta.update(
                doc_id=fields["doc_id"],
                source=fields["source"],
                doc_type=fields["doc_type"],
            )
            docs.append(meta)
        return sorted(
            docs, key=lambda d: (d.get("date") or "", d["source"]), reverse=True
        )


def _facets(counts: dict) -> dict:
    """Facet counts as the API shows them: years and types sorted, people by count."""
    out = {name: dict(sorted(counts[name].items())) for name in FACETS}
    for name in FACETS:
        out[name].pop("", None)  # undated items have no year to filter by
    out["presenter"] = dict(
        sorted(counts["presenter"].items(), key=lambda kv: (-kv[1], kv[0]))
    )
    flags = counts["has_decision"]
    out["has_decision"] = {"true": flags.get("true", 0), "false": flags.get("false", 0)}
    return out


def item_url(doc_id: str, number: int, q: str = "") -> str:
    """The item's anchor on its document page; with the search in the query string."""
    query = f"?q={quote(q)}" if q else ""
    return f"/doc/{quote(doc_id)}{query}#item-{number}"


def _item_facts(fields: dict) -> dict:
    """What a hit and a document page both say about an item, after its people."""
    return {
        "decisions": fields.get("decisions") or [],
        "ocr": bool(fields.get("ocr")),
        "ocr_confidence": fields.get("ocr_confidence"),
        "pages": fields.get("pages") or [],
    }


def _hit(fields: dict, score: float, q: str, matcher: TermMatcher) -> Hit:
    text = fields.get("text") or ""
    spans = matcher.spans(text, fields.get("corrections") or {}, fields.get("ocr"))
    return {
        "doc_id": fields["doc_id"],
        "source": fields["source"],
        "doc_type": fields["doc_type"],
        "title": fields["title"],
        "date": fields["date"] or None,
        "item_id": fields["item_id"],
        "item_number": fields["item_number"],
        "item_title": fields["item_title"],
        "presenters": fields.get("presenters") or [],
        "score": round(float(score or 0.0), 4),
        "match": {"text": text, "spans": spans},
        "url": item_url(fields["doc_id"], fields["item_number"], q),
        **_item_facts(fields),
    }


def _item(fields: dict, matcher: TermMatcher | None) -> Item:
    text = fields.get("text") or ""
    corrections = fields.get("corrections") or {}
    ocr = bool(fields.get("ocr"))
    spans = matcher.spans(text, corrections, ocr) if matcher else []
    title = fields["item_title"]
    title_spans = matcher.spans(title, corrections, ocr) if matcher else []
    return {
        "item_id": fields["item_id"],
        "item_number": fields["item_number"],
        "item_title": title,
        "title_spans": title_spans,
        "presenters": fields.get("presenters") or [],
        **_item_facts(fields),
        "text": text,
        "spans": spans,
        "matched": bool(spans or title_spans),
    }
