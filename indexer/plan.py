"""Which corpus files a run must read: new, changed and deleted ones.

A file's key combines the schema version, its content hash and its entries in
metadata.toml, so editing an override re-indexes just that file, and the
manifest of the live generation says what the index last saw.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from .ingest import file_sha256, iter_corpus, source_name

Overrides = tuple[dict, dict[str, dict]]  # metadata.toml: defaults, per file


@dataclass
class Plan:
    """The corpus as this run sees it, and what has to be done about it."""

    files: dict[str, tuple[Path, str]]  # source -> (path, key)
    todo: list[str]
    deleted: list[str]
    full: bool

    @property
    def unchanged(self) -> int:
        return len(self.files) - len(self.todo)

    @property
    def has_work(self) -> bool:
        return bool(self.todo or self.deleted or self.full)


def make_plan(
    corpus_dir: Path, manifest: dict, overrides: Overrides, full: bool, version: int
) -> Plan:
    """Compare the corpus with the manifest; ``full`` (or a new version) redoes all."""
    defaults, entries = overrides
    files = {}
    for path in iter_corpus(corpus_dir):
        source = source_name(path, corpus_dir)
        try:
            digest = file_sha256(path)
        except OSError:
            digest = "unreadable"
        extra = json.dumps([defaults, entries.get(source)], sort_keys=True, default=str)
        key = f"{version}:{digest}:{hashlib.sha1(extra.encode()).hexdigest()}"
        files[source] = (path, key)
    known = manifest.get("files", {}) if manifest.get("schema") == version else {}
    full = full or not known and bool(manifest)
    todo = [
        s
        for s, (_, key) in files.items()
        if full or known.get(s, {}).get("key") != key or known[s].get("retry")
    ]
    deleted = [] if full else [s for s in known if s not in files]
    return Plan(files, todo, deleted, full)


def old_rejects(manifest: dict, plan: Plan) -> list[tuple[str, str]]:
    """Files rejected before and unchanged since: reported again, not re-read."""
    return [
        (source, entry["rejected"])
        for source, entry in manifest.get("files", {}).items()
        if source in plan.files and source not in plan.todo and entry.get("rejected")
    ]
