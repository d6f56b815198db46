"""A page's structure as text: one line per element (tag#id.class), text and numbers left out.

The HTML reports are compared to golden outlines with this, so a change of layout
shows in review while a changed digit of a float does not. Runs of identical
siblings (the dots of a strip plot) collapse into one line with a count.
"""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"meta", "br", "img", "input", "link", "hr", "wbr"}
#: headings keep their text: they name the sections a reader looks for
TEXT_OF = {"h1", "h2", "h3", "th", "summary", "title"}


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.depth = 0
        self.open: list[str] = []
        self.text_target: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        label = tag + (f"#{a['id']}" if a.get("id") else "")
        label += "".join(f".{c}" for c in (a.get("class") or "").split())
        self.lines.append((self.depth, label))
        self.text_target = len(self.lines) - 1 if tag in TEXT_OF else None
        if tag not in VOID and not tag.endswith("/"):
            self.open.append(tag)
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()
            self.depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or tag not in self.open:
            return
        while self.open:
            self.depth -= 1
            if self.open.pop() == tag:
                break
        self.text_target = None

    def handle_data(self, data: str) -> None:
        if self.text_target is not None and data.strip() and not any(ch.isdigit() for ch in data):
            depth, label = self.lines[self.text_target]
            self.lines[self.text_target] = (depth, f"{label} {' '.join(data.split())!r}")


def outline(page: str) -> str:
    """The normalised outline of `page`."""
    parser = _Outline()
    parser.feed(page)
    out: list[str] = []
    previous, count = "", 0
    for depth, label in parser.lines:
        line = "  " * depth + label
        if line == previous:
            count += 1
            continue
        if count > 1:
            out[-1] += f" ×{count}"
        out.append(line)
        previous, count = line, 1
    if count > 1:
        out[-1] += f" ×{count}"
    return "\n".join(out) + "\n"
