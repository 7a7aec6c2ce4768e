"""A small DOM for tests: parse a page with html.parser and query its elements."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "source", "track", "wbr",
}  # fmt: skip


class Node:
    """An element of a parsed page."""

    def __init__(self, tag: str, attrs: list) -> None:
        self.tag, self.attrs = tag, dict(attrs)
        self.children: list[Node | str] = []

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self) -> str:
        """The text as written, element boundaries adding nothing."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def words(self) -> str:
        """The text as a reader sees it: whitespace collapsed, elements apart."""
        return " ".join(
            "".join(
                c if isinstance(c, str) else f" {c.words()} " for c in self.children
            ).split()
        )

    def by_id(self, element_id: str) -> Node | None:
        return next((n for n in self.iter() if n.attrs.get("id") == element_id), None)

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if n.tag == tag
            and all(attr_has(n, k.rstrip("_"), v) for k, v in attrs.items())
        ]

    def find(self, tag: str, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None


def attr_has(node: Node, name: str, value: str) -> bool:
    """Attribute equality; for class, membership in the class list."""
    actual = node.attrs.get(name)
    if actual is None:
        return False
    return value in actual.split() if name == "class" else actual == value


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, attrs))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse_page(body: bytes | str) -> Node:
    """The page's document node."""
    builder = _TreeBuilder()
    builder.feed(body.decode("utf-8") if isinstance(body, bytes) else body)
    builder.close()
    return builder.root
