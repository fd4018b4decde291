#!/usr/bin/env python3
"""Checks the relative links of the documentation (Python 3 standard library only).

    python3 scripts/check_links.py docs/book
        every href and src of every .html file of the built book that is relative (not
        http(s), mailto or another scheme) must name a file that exists, and a #fragment an
        element with that id in the target (a fragment alone: in the same page); then the
        relative links of README.md, resolved from the repository's root.

    python3 scripts/check_links.py --markdown docs/src README.new.md
        the markdown sources themselves: every relative link [..](path#frag) must name a file
        that exists and a #fragment a heading of the target (mdBook's ids inside a book's
        source folder, GitHub's elsewhere). A page of a book may link only to pages listed in
        its SUMMARY.md and only inside its source folder.

Prints each broken link as `file: link` and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import html.parser
import os
import re
import sys
import unicodedata
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A link with a scheme (https:, mailto:, data:, javascript: …) or protocol-relative.
SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


# ---------------------------------------------------------------------------------------
# HTML


class _Page(html.parser.HTMLParser):
    """The ids, the <base href> and the href/src of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if tag == "base" and name == "href":
                self.base = value
            elif name in ("href", "src"):
                self.links.append(value)

    handle_startendtag = handle_starttag


_pages: dict[Path, _Page] = {}


def _page(path: Path) -> _Page:
    path = path.resolve()
    if path not in _pages:
        p = _Page()
        p.feed(path.read_text(encoding="utf-8", errors="replace"))
        p.close()
        _pages[path] = p
    return _pages[path]


def check_html(book: Path) -> list[str]:
    broken: list[str] = []
    book = book.resolve()
    for file in sorted(book.rglob("*.html")):
        page = _page(file)
        here = file.parent
        if page.base and not SCHEME.match(page.base):
            # mdBook's 404 page: <base href="/"> means the book's root.
            base = page.base
            here = (book / base.lstrip("/")) if base.startswith("/") else (file.parent / base)
        shown = file.relative_to(book)
        for link in page.links:
            if SCHEME.match(link) or link in ("", "#"):
                continue
            url = urllib.parse.urlsplit(link)
            target_path = urllib.parse.unquote(url.path)
            frag = urllib.parse.unquote(url.fragment)
            if not target_path:
                target = file
            else:
                target = (book / target_path.lstrip("/")) if target_path.startswith("/") else (here / target_path)
                if target.is_dir():
                    target = target / "index.html"
            if not target.exists():
                broken.append(f"{book.name}/{shown}: {link}")
                continue
            if frag and target.suffix == ".html" and frag not in _page(target).ids:
                broken.append(f"{book.name}/{shown}: {link}")
    return broken


# ---------------------------------------------------------------------------------------
# Markdown

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# [text](target) and ![alt](target); the target may be <…> and may carry a "title".
INLINE = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _lines_outside_code(text: str):
    """(line number, line) of the lines outside fenced code blocks."""
    fence: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            mark = m.group(1)
            if fence is None:
                fence = mark[0] * len(mark)
                continue
            if mark.startswith(fence):
                fence = None
                continue
        if fence is None:
            yield n, line


def _heading_text(raw: str) -> str:
    """A heading as rendered text: code spans, emphasis, links and tags reduced to their text."""
    text = CODE_SPAN.sub(lambda m: m.group(2), raw)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return text.replace("\\", "")


def mdbook_id(text: str) -> str:
    """mdBook's `normalize_id`: alphanumerics, `_` and `-` kept (ASCII lowercased), spaces to `-`."""
    out = []
    for ch in text.strip():
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower() if ch.isascii() else ch)
        elif ch.isspace():
            out.append("-")
    return "".join(out)


def github_id(text: str) -> str:
    """GitHub's heading slug: lowercase, letters, marks, numbers, `_`, `-` and spaces kept, spaces to `-`."""
    out = []
    for ch in text.strip().lower():
        cat = unicodedata.category(ch)
        if ch in " -_" or cat[0] in "LMN" or cat == "Pc":
            out.append("-" if ch == " " else ch)
    return "".join(out)


def _book_src(path: Path) -> Path | None:
    """The source folder of the mdBook holding `path` (a folder with SUMMARY.md whose parent has book.toml)."""
    for d in [path.parent, *path.parent.parents]:
        if (d / "SUMMARY.md").is_file() and (d.parent / "book.toml").is_file():
            return d
    return None


_anchors: dict[Path, set[str]] = {}


def anchors(md: Path) -> set[str]:
    md = md.resolve()
    if md not in _anchors:
        slug = mdbook_id if _book_src(md) else github_id
        seen: dict[str, int] = {}
        ids: set[str] = set()
        for _, line in _lines_outside_code(md.read_text(encoding="utf-8")):
            m = ATX.match(line)
            if not m:
                continue
            base = slug(_heading_text(m.group(2)))
            n = seen.get(base, 0)
            seen[base] = n + 1
            ids.add(base if n == 0 else f"{base}-{n}")
        # Explicit anchors: <a id="…"> / <a name="…"> and mdBook's {#id} heading attributes.
        text = md.read_text(encoding="utf-8")
        ids.update(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
        ids.update(re.findall(r"\{#([A-Za-z0-9_-]+)\}", text))
        _anchors[md] = ids
    return _anchors[md]


_summaries: dict[Path, set[Path]] = {}


def _listed(src: Path) -> set[Path]:
    """The pages a book's SUMMARY.md lists."""
    if src not in _summaries:
        pages = {src / "SUMMARY.md"}
        for _, line in _lines_outside_code((src / "SUMMARY.md").read_text(encoding="utf-8")):
            for m in INLINE.finditer(line):
                target = m.group(1).strip("<>")
                if target:
                    pages.add((src / urllib.parse.unquote(target)).resolve())
        _summaries[src] = pages
    return _summaries[src]


def _links(md: Path):
    for n, line in _lines_outside_code(md.read_text(encoding="utf-8")):
        bare = CODE_SPAN.sub("", line)
        for m in INLINE.finditer(bare):
            yield n, m.group(1).strip("<>")
        m = REFDEF.match(bare)
        if m:
            yield n, m.group(1).strip("<>")


def check_markdown_file(md: Path, shown_from: Path) -> list[str]:
    broken: list[str] = []
    md = md.resolve()
    src = _book_src(md)
    try:
        shown = md.relative_to(shown_from)
    except ValueError:
        shown = md
    for n, link in _links(md):
        if not link or SCHEME.match(link):
            continue
        url = urllib.parse.urlsplit(link)
        path, frag = urllib.parse.unquote(url.path), urllib.parse.unquote(url.fragment)
        target = (md.parent / path).resolve() if path else md
        why = None
        if not target.exists():
            why = "no such file"
        elif src is not None and path and not target.is_relative_to(src.resolve()):
            why = "leaves the book's source folder"
        elif src is not None and target.suffix == ".md" and target != md and target not in _listed(src.resolve()):
            why = "page not in SUMMARY.md"
        elif frag and target.suffix == ".md" and frag not in anchors(target):
            why = "no such heading"
        if why:
            broken.append(f"{shown}:{n}: {link}  ({why})")
    return broken


def check_markdown(paths: list[Path]) -> list[str]:
    broken: list[str] = []
    cwd = Path.cwd().resolve()
    for p in paths:
        files = sorted(p.rglob("*.md")) if p.is_dir() else [p]
        for f in files:
            broken.extend(check_markdown_file(f, cwd))
    return broken


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path, help="the built book folder, or with --markdown: .md files and folders")
    ap.add_argument("--markdown", action="store_true", help="check markdown sources instead of a built book")
    ap.add_argument("--readme", type=Path, default=ROOT / "README.md", help="README checked with a built book (default: the repository's)")
    args = ap.parse_args()

    missing = [p for p in args.paths if not p.exists()]
    if missing:
        for p in missing:
            print(f"{p}: no such file or folder", file=sys.stderr)
        return 2
    if args.markdown:
        broken = check_markdown(args.paths)
    else:
        broken = []
        for book in args.paths:
            broken.extend(check_html(book))
        if args.readme.exists():
            broken.extend(check_markdown_file(args.readme, Path.cwd().resolve()))
    for b in broken:
        print(b)
    if broken:
        print(f"{len(broken)} broken link(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
