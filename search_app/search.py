"""The search service: queries, filters, facets, paging and match spans.

Part of the engine seam (with ``queryparse``, ``synonyms``, ``fallbacks``,
``matching``, ``scoring``, ``columns``, ``itemcache``, the format adapter
``whoosh_postings`` and ``whoosh_queries``, and the indexer's ``schema``,
``build`` and ``analysis``). A request walks one way: parse and bound the
text, score it, then find the page's match spans; nothing here calls back.
It speaks the plain dicts of ``vocabulary`` to the web layer, so the HTML
pages and the JSON API are fed by the same functions and cannot drift
apart; marking the spans in HTML is theirs to do (``highlight``).
"""

from __future__ import annotations

import threading
import time
import weakref
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q

from indexer.analysis import word_forms
from indexer.formtable import latest
from indexer.morphology import is_swedish_word, use_known_splits
from indexer.people import name_key
from indexer.store import SYNONYMS_FILE, live_generation
from indexer.wordforms import open_forms

from .answercache import AnswerCache
from .columns import ItemColumns
from .fallbacks import suggest, with_fallbacks
from .integrity import IntegrityCheck
from .itemcache import ItemCache
from .lru import LRU
from .matching import TermMatcher, WordForms, forms_lookup
from .queryparse import (
    bound,
    expand_compounds,
    make_parser,
    parse,
    typed_without_diacritics,
)
from .querytext import Interpretation, interpret
from .results import empty_response, facets, hit, item
from .scoring import Engine, Matches
from .synonyms import SynonymFile, expand_synonyms, synonyms_used
from .vocabulary import (
    MAX_QUERY_CHARS,
    NO_DEADLINE,
    Correction,
    Deadline,
    Document,
    IndexDamaged,
    IndexUnavailable,
    QueryRefused,
    QueryTooSlow,
    SearchParams,
    SearchResponse,
)

# An index caught mid-update is asked again: up to this many times, pausing
# CHECK_PAUSE, then twice that, and so on (0.35 s in all at most).
CHECK_ATTEMPTS = 4
CHECK_PAUSE = 0.05

CATALOGUE_ITEM_KEYS = (
    "item_id", "item_number", "item_title", "presenters", "decisions", "attachments",
)  # fmt: skip
OCR_RANK_FACTOR = 0.8
RETRY_MAX_WORDS = 12  # longer queries that find nothing are not tried again
PARSE_CACHE_SIZE = 2048  # parsed query texts kept, least recently used dropped


def _close_all(open_searchers: dict, lock: threading.Lock) -> None:
    with lock:
        searchers = [searcher for searcher, _ in open_searchers.values()]
        open_searchers.clear()
    for searcher in searchers:
        if not searcher.is_closed:
            searcher.close()


def _remembered(cache: LRU, key: tuple, compute):
    """``compute()``, kept in ``cache`` (one of the service's, counted by entry).

    The caller reads the cache attribute once: a value computed while the
    service moved on to a new index version goes into the cache it came
    from, which is then dropped. Wrapped, since a value may be None.
    """
    kept = cache.get(key)
    if kept is None:
        kept = (compute(),)
        cache.put(key, kept, 1)
    return kept[0]


def _version_key(searcher) -> tuple:
    """What names the index version a searcher reads: its commit's number and
    its segments' names.

    Taken from the searcher itself, not from the service's live generation:
    another thread may have moved the service on to a newer generation while
    this request still reads the old one, and a rebuild's generation numbers
    its commits from 1 again. Segment names are random per segment written,
    so two builds never share them; a commit that only deletes keeps its
    segments and has a number of its own.
    """
    reader = searcher.reader()
    segments = (leaf.segment() for leaf, _ in reader.leaf_readers())
    names = tuple(s.segment_id() if s is not None else None for s in segments)
    return reader.generation(), names


class VersionView(NamedTuple):
    """What is made once per index version and shared by every thread: the
    facet columns, the engine, the items shown and the answers given."""

    columns: ItemColumns
    engine: Engine
    items: ItemCache
    answers: AnswerCache


class SearchService:
    """Answers searches from the live index, picking up new generations.

    ``budget``: seconds a search may take before it is stopped (QueryTooSlow);
    None for no limit. The index is checked against its recorded checksums
    before every request (IndexDamaged), see ``integrity``.
    """

    def __init__(self, index_dir: Path, budget: float | None = None) -> None:
        self.index_dir = Path(index_dir)
        self.budget = budget
        self._integrity = IntegrityCheck()
        self._lock = threading.Lock()
        self._open: dict[int, tuple] = {}  # thread id -> (searcher, index)
        # Runs on close(), when the service is collected, or at exit: index
        # files are never left for the garbage collector to find open.
        self._finalizer = weakref.finalize(self, _close_all, self._open, self._lock)
        self._ix: Any = None  # a Whoosh index, opened on first use
        self._generation: Path | None = None
        self._view_key: tuple | None = None
        self._view_value: VersionView | None = None
        self._forms_key: tuple | None = None
        self._forms_table: Path | None = None
        self._forms: WordForms = word_forms
        self._synonyms = SynonymFile(self.index_dir / SYNONYMS_FILE)
        self._catalogue_key: tuple | None = None
        self._catalogue: list[dict] = []
        # What one request already evaluated: the policy below asks
        # the same query several times (found anything? what did it add?).
        self._request = threading.local()
        self._parse_cache = LRU(PARSE_CACHE_SIZE)  # texts, each costing 1
        # What depends on the index's words as well: per index version.
        self._version_cache = LRU(PARSE_CACHE_SIZE)

    # --- the searcher -------------------------------------------------------

    def _index(self):
        """The live index; reopened when the indexer published a new generation."""
        live = self._checked_generation()
        with self._lock:
            if live != self._generation:
                with self._damage_named(live):
                    self._ix = whoosh_index.open_dir(str(live))
                self._generation = live
                self._parser = make_parser(self._ix.schema)
                self._lenient_parser = make_parser(self._ix.schema, strict=False)
                self._retry_parser = make_parser(self._ix.schema, retry=True)
                self._parse_cache = LRU(PARSE_CACHE_SIZE)
                self._version_cache = LRU(PARSE_CACHE_SIZE)
            return self._ix

    def _checked_generation(self) -> Path:
        """The live generation, its files checked before Whoosh reads them.

        A rebuild may publish a new generation and remove the old one while
        the old one is being checked, and an update swaps segment files and
        then rewrites the manifest: for those few milliseconds files look
        missing, not damaged. The check is asked again a little later; real
        damage stays and is reported.
        """
        for attempt in range(CHECK_ATTEMPTS):
            live = live_generation(self.index_dir)
            if live is None:
                raise IndexUnavailable(f"no index in {self.index_dir}")
            try:
                self._integrity.check(live)
            except IndexDamaged:
                if attempt == CHECK_ATTEMPTS - 1:
                    raise
                time.sleep(CHECK_PAUSE * (attempt + 1))
                continue
            return live
        raise AssertionError("unreachable")

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
            with self._damage_named(self._generation):
                current = ix.searcher()
        with self._lock:
            self._open[thread] = (current, ix)
        return current

    @contextmanager
    def _damage_named(self, generation: Path | None):
        """IndexDamaged, not a bare engine error, when the files are to blame.

        The service's own answers (a refused or too slow query, no index)
        pass through untouched: they say nothing about the files.
        """
        try:
            yield
        except (QueryRefused, QueryTooSlow, IndexUnavailable):
            raise
        except Exception as exc:
            if generation is not None and not self._integrity.verify_now(generation):
                raise IndexDamaged(f"cannot open {generation.name}: {exc}") from exc
            raise

    def close(self) -> None:
        """Close every searcher (and so the index files) this service opened."""
        self._finalizer()

    def preload(self) -> None:
        """Read now what every query needs: the index, its columns and statistics.

        A server calls this before it forks its workers, so that they share
        what was read and none of them makes its first user wait for it.
        """
        searcher = self._searcher()
        self._view(searcher)
        self._word_forms(searcher)

    def after_fork(self) -> None:
        """Forget the searchers a parent process opened: a worker opens its own.

        Open index files share their read position between processes; two
        workers reading through the same one would read each other's bytes.
        """
        with self._lock:
            self._open.clear()

    def _parse(self, text: str, searcher, deadline: Deadline = NO_DEADLINE):
        """User text to engine query: grammar, synonyms, fallbacks; None if empty."""
        engine_text = interpret(text[:MAX_QUERY_CHARS]).engine
        return self._compile(engine_text, searcher, None, deadline)

    def _compile(
        self,
        engine_text: str,
        searcher,
        added: list | None = None,
        deadline: Deadline = NO_DEADLINE,
    ):
        """Canonical text to bounded engine query with OCR and near-spelling
        fallbacks; the words they add are noted in ``added``.

        Swedish words are first looked for as themselves only. A query typed
        without å, ä and ö ("overgripande mal") folds all its words; one that
        finds nothing is tried again folded, so a word typed without its
        diacritics that is also a word of its own ("vald" for "våld") still
        finds something; a word commoner than its marked twin ("skott", not
        "skött") is not folded even then.
        """
        if not engine_text.strip():
            return None
        text = expand_synonyms(engine_text, self._synonym_groups())
        text = expand_compounds(text)
        if typed_without_diacritics(text):
            lenient = self._lenient_parser
            return self._parse_with(lenient, text, searcher, added, deadline)
        q = self._parse_with(self._parser, text, searcher, added, deadline)
        short = len(text.split()) <= RETRY_MAX_WORDS  # bounds a query's cost
        if q is not None and short and not self._finds_anything(q, searcher, deadline):
            retry = self._retry_parser
            q = self._parse_with(retry, text, searcher, added, deadline) or q
        return q

    def _parse_with(
        self,
        parser,
        text: str,
        searcher,
        added: list | None = None,
        deadline: Deadline = NO_DEADLINE,
    ):
        q = self._parsed(parser, text)
        deadline.check()  # parsing is Whoosh's and has no checks of its own
        if q is Q.NullQuery:
            return None

        def compile_it():
            notes: list = []
            reader = searcher.reader()
            fallen = with_fallbacks(bound(q, reader), reader, notes, deadline)
            return fallen, tuple(notes)

        compiled, notes = self._per_version(searcher, (id(parser), text), compile_it)
        if added is not None:
            added.extend(notes)
        return compiled

    def _per_version(self, searcher, key: tuple, compute):
        """``compute()``, remembered for the index version ``searcher`` reads.

        For what depends on the words the index holds (a query's OCR and
        near-spelling fallbacks, a spelling suggestion): an update within
        the generation adds words, so the version is the reader's too. The
        value is shared and must not be changed.
        """
        full = (*_version_key(searcher), *key)
        return _remembered(self._version_cache, full, compute)

    def _exact(self, engine_text: str, searcher, synonyms: bool = True):
        """The words as typed (and their synonyms): no OCR or near spellings."""
        if not engine_text.strip():
            return None
        groups = self._synonym_groups() if synonyms else []
        text = expand_compounds(expand_synonyms(engine_text, groups))
        lenient = typed_without_diacritics(text)
        q = self._parsed(self._lenient_parser if lenient else self._parser, text)
        return None if q is Q.NullQuery else bound(q, searcher.reader())

    def _finds_anything(self, q, searcher, deadline: Deadline = NO_DEADLINE) -> bool:
        return bool(self._evaluate(q, searcher, deadline).mask.any())

    def _parsed(self, parser, text: str):
        """``parse``, remembered for the most recent texts of this index version.

        Whoosh's parser analyses every word for every field, a good part of a
        query's time; a text asked again (twice in one request, or by the
        next user) is parsed once. The parsed query is never changed after.
        """
        # The three parsers live exactly as long as this cache (one index version).
        return _remembered(
            self._parse_cache, (id(parser), text), lambda: parse(parser, text)
        )

    def _evaluate(self, q, searcher, deadline: Deadline = NO_DEADLINE) -> Matches:
        """The engine's matches of ``q``, once per query within a request.

        Callers must not change the arrays: a later ask gets the same ones.
        """
        _, engine = self._view(searcher)
        memo = getattr(self._request, "matches", None)
        if memo is None:
            return engine.evaluate(q, searcher, deadline)
        try:
            found = memo.get(q)
        except TypeError:  # a query type without a hash: no memo
            return engine.evaluate(q, searcher, deadline)
        if found is None:
            found = memo[q] = engine.evaluate(q, searcher, deadline)
        return found

    def suggest(self, text: str) -> str | None:
        """A spelling of the query's unknown words that finds something, if any."""
        return self._suggest(interpret(text).engine, self._searcher())

    def _suggest(
        self, engine_text: str, searcher, deadline: Deadline = NO_DEADLINE
    ) -> str | None:
        # The request's own searcher: fetching another could close this one.
        better = self._per_version(
            searcher,
            ("suggest", engine_text),
            lambda: suggest(engine_text, searcher.reader(), deadline=deadline),
        )
        exact = self._exact(better, searcher) if better else None
        if better and self._finds(exact, searcher, None, deadline).any():
            return interpret(better).display
        return None

    def _finds(
        self, q, searcher, allowed, deadline: Deadline = NO_DEADLINE
    ) -> np.ndarray:
        """The mask of the items ``q`` finds under the filters."""
        if q is None:
            return np.zeros(1, dtype=bool)
        mask = self._evaluate(q, searcher, deadline).mask
        return mask & allowed if allowed is not None else mask

    # --- verbs ----------------------------------------------------------------

    def search(self, params: SearchParams) -> SearchResponse:
        """The contract's search response, each hit's match as text and spans.

        An answer given before on this index version, with the same synonym
        groups, is handed out again (``answercache``); the index is checked
        first all the same.
        """
        self._request.matches = {}
        try:
            # A file garbled since the last check (same size, same time) fails
            # only while a search reads it: then it is hashed, and named.
            with self._damage_named(self._generation):
                searcher = self._searcher()
                view = self._version_view(searcher)
                # Read once: the answer is kept under the groups it was made with.
                synonyms = self._request.synonyms = self._synonyms.groups()
                answer = view.answers.get(params, synonyms)
                if answer is None:
                    answer = self._search(params, searcher, view)
                    view.answers.put(params, synonyms, answer)
                return answer
        finally:
            self._request.matches = self._request.synonyms = None

    def _synonym_groups(self) -> list[list[str]]:
        """The synonym groups of this search (read once at its start), or now."""
        groups = getattr(self._request, "synonyms", None)
        return self._synonyms.groups() if groups is None else groups

    def _search(
        self, params: SearchParams, searcher, view: VersionView
    ) -> SearchResponse:
        """``search`` within one request's memo of evaluated queries.

        The engine scores every item at once, as arrays; filters and facet
        counts are masks and counts over the per-index columns; only the
        page's hits are loaded, with the spans of the words they matched.
        Without words but with filters it lists the filtered items, newest
        first. The response says how the query was read and what was changed.
        QueryTooSlow when it runs past the service's budget. ``view`` is the
        version ``searcher`` reads, as ``search`` found it.
        """
        reading = interpret(params.q[:MAX_QUERY_CHARS])
        response = empty_response(params, reading)
        if reading.empty and not params.filtered:
            return response
        columns, engine = view.columns, view.engine
        _load_word_lists()
        # From here: the query's own work. Loading a new index version and the
        # word lists (above) is shared by every request and not charged to it.
        deadline = Deadline.after(self.budget)
        allowed = _allowed(columns, engine, searcher, params)
        if reading.empty:
            q, sort = Q.Every(), ("date" if params.sort == "relevance" else params.sort)
        else:
            q, sort = self._corrected(
                params, reading, searcher, allowed, response, deadline
            )
        if q is None:
            return response
        matches = self._evaluate(q, searcher, deadline)
        # A scan reads less reliably than clean text: among near-equal items
        # the clean one (often the same text) comes first.
        scaled = matches.scores * columns.ocr_scaled(OCR_RANK_FACTOR)
        matches = Matches(scaled, matches.mask)
        mask = matches.mask if allowed is None else matches.mask & allowed
        total = int(np.count_nonzero(mask))
        response["total"] = total
        response["total_pages"] = -(-total // params.per_page)
        response["facets"] = facets(columns.counts(mask))
        start = (params.page - 1) * params.per_page
        end = start + params.per_page
        if sort in ("date", "date_asc"):
            oldest = sort == "date_asc"
            docnums = columns.newest_first(mask, end, oldest=oldest)[start:]
        else:
            docnums = engine.top(matches, mask, end)[start:]
        if docnums:
            forms = self._word_forms(searcher)
            matcher = TermMatcher(q, searcher.reader(), deadline, forms)
            response["hits"] = [
                hit(
                    view.items.stored_fields(searcher, d),
                    matches.scores[d],
                    params.q,
                    matcher,
                )
                for d in docnums
            ]
        return response

    def _corrected(
        self,
        params,
        reading: Interpretation,
        searcher,
        allowed,
        out,
        deadline: Deadline = NO_DEADLINE,
    ):
        """The query to run, by the one suggestion policy, for page and API alike.

        Unknown words get the corpus' nearest spelling, if that finds
        something. When the words as typed find nothing, every changed word
        is one letter away (missing, extra or wrong) and none is itself a
        Swedish word, the spelling is searched instead and the response says
        so (``corrections``, kind "spelling"); when they find something, the
        spelling is further off or changes a real word ("drömmare" is not a
        typo of anything, just absent), or ``exact`` asks for the words as
        typed (no fallbacks either), it is only offered
        (``suggestion``).
        Synonyms, OCR variants and near spellings that add hits are named.
        """

        def finds(q):
            return self._finds(q, searcher, allowed, deadline)

        text = reading.engine
        typed = self._exact(text, searcher)
        better = self._suggest(text, searcher, deadline)
        fixed = interpret(better).engine if better else None
        if fixed and finds(self._exact(fixed, searcher)).any():
            changes = _spelling(text, fixed)
            sure = all(
                _one_edit(c["original"], c["replacement"])
                and not is_swedish_word(c["original"].lower())
                for c in changes
            )
            if params.exact or not sure or finds(typed).any():
                out["suggestion"] = better
            else:
                out["corrections"] += changes
                text = fixed
                out["interpreted_query"] = better
                typed = self._exact(text, searcher)
        used = synonyms_used(text, self._synonym_groups())
        bare = self._exact(text, searcher, synonyms=False) if used else None
        if used and (finds(typed) & ~finds(bare)).any():
            out["corrections"] += [
                Correction(kind="synonym", original=a, replacement=b) for a, b in used
            ]
        if params.exact:
            return typed, params.sort
        added: list = []
        q = self._compile(text, searcher, added, deadline)
        extra = finds(q) & ~finds(typed)
        if added and extra.any():
            out["corrections"] += [
                Correction(kind=kind, original=a, replacement=b) for kind, a, b in added
            ]
        return q, params.sort

    def _view(self, searcher) -> tuple[ItemColumns, Engine]:
        """Facet columns and engine of the index version this searcher reads.

        Built once per version and shared by every thread.
        """
        view = self._version_view(searcher)
        return view.columns, view.engine

    def _version_view(self, searcher) -> VersionView:
        """What is made once per index version (see ``VersionView``)."""
        key = _version_key(searcher)
        with self._lock:
            if self._view_key != key or self._view_value is None:
                reader = searcher.reader()
                self._view_value = VersionView(
                    ItemColumns(reader), Engine(reader), ItemCache(), AnswerCache()
                )
                self._view_key = key
            return self._view_value

    def _word_forms(self, searcher) -> WordForms:
        """Highlighting's ``word_forms``, from the live generation's table.

        Opening the table also registers its compound splits for query
        parsing, process-wide (``indexer.morphology.use_known_splits``).

        Looked for again when the index changed (the indexer writes a new
        table with the items it adds); kept, with the forms it has looked up,
        while the newest table is the same file. Opened before the server
        forks, the table's pages are the system's file cache, shared by all.
        """
        key = (self._generation, searcher.reader().generation())
        with self._lock:
            if key != self._forms_key:
                newest = latest(self._generation)
                if newest != self._forms_table:
                    table = open_forms(newest)
                    self._forms = forms_lookup(table)
                    # The same table knows the compound splits of the words
                    # a query drawn from the archive has.
                    use_known_splits(table.split if table is not None else None)
                    self._forms_table = newest
                self._forms_key = key
            return self._forms

    def document(self, doc_id: str, q: str = "") -> Document | None:
        """A document's metadata and all its items, with ``q``'s spans if given."""
        searcher = self._searcher()
        with self._damage_named(self._generation):  # as in ``search``
            return self._document(searcher, doc_id, q)

    def _document(self, searcher, doc_id: str, q: str) -> Document | None:
        """``document`` inside the damage check."""
        _load_word_lists()
        deadline = Deadline.after(self.budget)
        stored = [
            searcher.stored_fields(n) for n in searcher.document_numbers(doc_id=doc_id)
        ]
        if not stored:
            return None
        stored.sort(key=lambda s: s["item_number"])
        query = self._parse(q, searcher, deadline)
        forms = self._word_forms(searcher)
        matcher = (
            TermMatcher(query, searcher.reader(), deadline, forms) if query else None
        )
        first = stored[0]
        meta = {
            **(first.get("doc_meta") or {}),
            "doc_id": doc_id,
            "source": first["source"],
            "doc_type": first["doc_type"],
            "items": [item(s, matcher) for s in stored],
        }
        return cast(Document, meta)

    def catalogue(self) -> list[dict]:
        """Every document's metadata with its items' facts (no text), newest first.

        What the registers of decisions, people and meetings are made from.
        Read once per index version from the stored fields and shared by all
        threads; callers must not change it.
        """
        searcher = self._searcher()
        key = _version_key(searcher)
        with self._lock:
            if self._catalogue_key == key:
                return self._catalogue
        with self._damage_named(self._generation):  # reads every stored record
            catalogue = _catalogue(searcher)
        with self._lock:
            self._catalogue_key, self._catalogue = key, catalogue
        return catalogue

    def documents(self) -> list[Document]:
        """Every document's metadata, newest first."""
        searcher = self._searcher()
        with self._damage_named(self._generation):
            return _documents(searcher)


def _catalogue(searcher) -> list[dict]:
    """``SearchService.catalogue`` read from the stored fields."""
    docs: dict[str, dict] = {}
    for fields in searcher.reader().all_stored_fields():
        doc = docs.setdefault(fields["doc_id"], {"items": []})
        if fields.get("doc_meta") is not None:
            doc.update(fields["doc_meta"])
            doc.update(
                doc_id=fields["doc_id"],
                source=fields["source"],
                doc_type=fields["doc_type"],
            )
        doc["items"].append({k: fields.get(k) for k in CATALOGUE_ITEM_KEYS})
    for doc in docs.values():
        doc["items"].sort(key=lambda item: item["item_number"])
    return sorted(
        (d for d in docs.values() if "source" in d),
        key=lambda d: (d.get("date") or "", d["source"]),
        reverse=True,
    )


def _documents(searcher) -> list[Document]:
    """``SearchService.documents`` read from the first items' stored fields."""
    docs = []
    for fields in searcher.documents(item_number=1):
        meta = {
            **(fields.get("doc_meta") or {}),
            "doc_id": fields["doc_id"],
            "source": fields["source"],
            "doc_type": fields["doc_type"],
        }
        docs.append(cast(Document, meta))
    return sorted(docs, key=lambda d: (d.get("date") or "", d["source"]), reverse=True)


@cache
def _load_word_lists() -> None:
    """Load the lexicon and compound splitter query analysis needs, once."""
    word_forms("narkotikabeslagen")
    is_swedish_word("narkotika")


def _allowed(columns: ItemColumns, engine: Engine, searcher, params: SearchParams):
    """The mask of the items the filters let through; None when there are none.

    The person filter is read through the engine (one name's postings), the
    others from the columns.
    """
    mask = columns.allowed(
        doc_type=params.doc_type,
        presenter=params.presenter,
        has_decision="true" if params.has_decision else None,
    )
    for extra in (
        columns.any_of("year", params.years) if params.years else None,
        columns.dated_between(params.date_from, params.date_to)
        if params.date_from or params.date_to
        else None,
        # Stored as name keys: any spelling of the name finds them.
        engine.holding("person", name_key(params.person), searcher)
        if params.person
        else None,
    ):
        if extra is not None:
            mask = extra if mask is None else mask & extra
    return mask


def _spelling(typed: str, better: str) -> list[Correction]:
    """The words the spelling changed, in order."""
    pairs = zip(typed.split(), better.split(), strict=False)
    return [
        Correction(kind="spelling", original=a, replacement=b)
        for a, b in pairs
        if a != b
    ]


def _one_edit(typed: str, fixed: str) -> bool:
    """One letter missing, extra or wrong: sure enough to search it instead.

    A spelling two or more edits away is offered, never imposed.
    """
    typed, fixed = typed.casefold(), fixed.casefold()
    if abs(len(typed) - len(fixed)) > 1:
        return False
    if len(typed) == len(fixed):
        return sum(a != b for a, b in zip(typed, fixed, strict=True)) <= 1
    short, long = sorted((typed, fixed), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))
