"""Decisions in an item's text, each once and cleanly, with its attachments apart.

Pure: text in, strings out. Minutes state decisions two ways: under a label
("Beslut: Umebrå ställer sig bakom …") or in a sentence whose verb decides
("Anteckningarna godkändes", "UmeBrå får i uppdrag att …"). Where an item
has a label, the labelled text is its decision and nothing else is: the
same item often retells earlier decisions ("Därför fastställde Umebrå att
tidigare beslutade löften …"), which are background, not what this meeting
decided. A label is never part of the decision's text.

Cells often open with the attachment they concern: a file name
("Umebrå 2024-12-10 mötesanteckningar.pdf Anteckningarna … godkändes") or a
link pasted as "text (site)". That reference is returned beside the
decision, as an attachment, not inside it.

Every decision returned is a substring of the item text, so a page can mark
it where it stands instead of printing it a second time.
"""

from __future__ import annotations

import re

_LABEL = re.compile(
    r"(?<!förslag till )(?<!förslag på )\b(?:beslut|beslutades|beslutas)\s*:\s*",
    re.I,
)
_DECIDING = re.compile(
    r"\bbeslut(?:ar|ade|ades)\b|\bbeslöt\b|\bfatta(?:t|de|r|s) beslut"
    r"|\bgodk[äa]n(?:ns|nes|ner|des|de|t)\b|\bfastst[äa]ll(?:s|es|er|des|de|t)\b"
    r"|\bst[äa]ll(?:er|de) sig bakom\b|\bf[åa]r i uppdrag\b"
    r"|\bläggs till handlingarna\b|\blades till handlingarna\b",
    re.I,
)
_PROPOSAL = re.compile(r"\bförslag (?:till|på|om) beslut\b", re.I)
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9])|\n+")
_EXTENSIONS = r"pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|txt|csv"
# An attachment at the start of a sentence: a file name, a link written as
# "text (site.se)", or a bare address; what follows starts the sentence proper.
_LEADING_REFERENCE = re.compile(
    rf"^(?P<ref>(?:(?![.!?]\s)[^\n]){{1,160}}?\.(?:{_EXTENSIONS})"
    r"|[^\n.!?]{1,160}?\((?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+[^)\s]*\)"
    r"|(?:https?://|www\.)\S+)"
    r"\s+(?=[A-ZÅÄÖ0-9])",
    re.I,
)
_FILE_NAME = re.compile(rf"(?:^|(?<=\s))(?P<name>[^\s/\\]+\.(?:{_EXTENSIONS}))\b", re.I)
# What every file name holds. _FILE_NAME, tried at each word, costs twenty
# times this search for the extension; most items name no file.
_EXTENSION = re.compile(rf"\.(?:{_EXTENSIONS})\b", re.I)
_TRIM = " \t•–-—:;,"


def find_decisions(text: str) -> tuple[list[str], list[str]]:
    """(decisions, attachments) of an item's clean text."""
    labelled = _labelled(text)
    # A sentence that decides is one where the text does: most texts do not,
    # and need not be split.
    candidates = labelled or [
        sentence
        for sentence in (_SENTENCES.split(text) if _DECIDING.search(text) else ())
        if _DECIDING.search(sentence) and not _PROPOSAL.search(sentence)
    ]
    decisions: list[str] = []
    attachments: list[str] = []
    for candidate in candidates:
        decision, refs = split_references(candidate.strip(_TRIM))
        for ref in refs:
            if ref not in attachments:
                attachments.append(ref)
        if decision and decision not in decisions:
            decisions.append(decision)
    for ref in _file_names(text):
        if ref not in attachments and not any(ref in a for a in attachments):
            attachments.append(ref)
    return decisions, attachments


def _labelled(text: str) -> list[str]:
    """The text after each decision label, up to the next label or paragraph.

    A label alone at the end of its paragraph takes the paragraph after it.
    """
    found: list[str] = []
    # Most items hold no label, and the regex, tried at every character,
    # costs eight times this. casefold folds whatever re.I matches (ſ to s).
    if "beslut" not in text.casefold():
        return found
    labels = list(_LABEL.finditer(text))
    for n, label in enumerate(labels):
        end = labels[n + 1].start() if n + 1 < len(labels) else len(text)
        rest = text[label.end() : end]
        paragraphs = rest.split("\n\n", 2)  # the first two are all it needs
        body = paragraphs[0].strip() or (
            paragraphs[1].strip() if len(paragraphs) > 1 else ""
        )
        if body:
            found.append(body)
    return found


def split_references(sentence: str) -> tuple[str, list[str]]:
    """A sentence without the attachment references that open it, and those."""
    refs: list[str] = []
    while True:
        found = _LEADING_REFERENCE.match(sentence)
        if not found:
            return sentence, refs
        refs.append(found.group("ref").strip(_TRIM))
        sentence = sentence[found.end() :].strip(_TRIM)


def _file_names(text: str) -> list[str]:
    """File names standing anywhere in the text ("se bilaga plan.pdf")."""
    if not _EXTENSION.search(text):
        return []
    return [m.group("name").strip(_TRIM) for m in _FILE_NAME.finditer(text)]
