"""A real documentation corpus for ``bench_peers.py``: the Python standard library's own docs.

Pages are read at benchmark time from the running interpreter's standard library (the
docstrings of public modules, classes and functions, as ``pydoc`` shows them; CPython's
documentation, Copyright Python Software Foundation, under the PSF License Agreement), so
nothing of it is stored in this repository. Each page becomes one article in the product's
Markdown format: the docstring's first paragraph is the answer, the signature and the rest of
the docstring (and, for a class, each public method's docstring) are sections.
"""

from __future__ import annotations

import importlib
import inspect
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

ATTRIBUTION = (
    "Python standard library docstrings (CPython {version}), Copyright Python Software "
    "Foundation, PSF License Agreement; read from the installed interpreter at run time"
)

# Public, documented modules, in a fixed order (the page ids depend only on these names).
_MODULE_NAMES = (
    "abc argparse array builtins ast asyncio base64 bisect bz2 calendar cmath codecs collections "
    "collections.abc colorsys configparser contextlib copy csv ctypes dataclasses datetime "
    "decimal difflib dis email.message email.utils enum filecmp fileinput fnmatch fractions "
    "ftplib functools getpass gettext glob graphlib gzip hashlib heapq hmac html html.parser "
    "http.client http.cookies http.server imaplib importlib importlib.resources inspect io "
    "ipaddress itertools json keyword linecache locale logging logging.handlers lzma mailbox "
    "math mimetypes mmap numbers operator optparse os os.path pathlib pickle pkgutil platform "
    "plistlib poplib pprint profile pstats queue quopri random re reprlib sched secrets "
    "selectors shelve shlex shutil signal smtplib socket socketserver sqlite3 ssl stat "
    "statistics string struct subprocess symtable sys sysconfig tarfile tempfile textwrap "
    "threading time timeit token tokenize tomllib trace traceback tracemalloc types typing "
    "unicodedata unittest unittest.mock urllib.parse urllib.request uuid warnings weakref "
    "webbrowser wsgiref.simple_server xml.dom.minidom xml.etree.ElementTree xmlrpc.client "
    "zipfile zlib zoneinfo"
)
MODULES = tuple(_MODULE_NAMES.split())

_ALIASES = {
    "posix": "os",
    "posixpath": "os.path",
    "genericpath": "os.path",
    "_io": "io",
    "_socket": "socket",
    "_thread": "threading",
}
"""Where members of a module are defined under another name (C modules behind the public one)."""
MIN_DOC_CHARS = 15
MAX_METHODS = 12
_ANSWER_LIMIT = 1500
_SECTION_LIMIT = 3000


@dataclass(frozen=True)
class Page:
    page_id: str
    title: str
    answer: str
    sections: tuple[tuple[str, str], ...]

    def markdown(self) -> str:
        """The page as an article (front matter, answer, one ``##`` heading per section)."""
        intent = "python." + re.sub(r"[^a-z0-9_.]", "_", self.title.lower()).strip(".")
        intent = re.sub(r"\.+", ".", intent)
        body = [_text(self.answer, _ANSWER_LIMIT)]
        for heading, text in self.sections:
            body.append(f"## {heading}\n\n{_text(text, _SECTION_LIMIT)}")
        return (
            f"---\nid: {self.page_id}\ntitle: {_yaml(self.title)}\nintents: [{intent}]\n"
            "owner: python-docs@example.org\nlast_reviewed: 2026-01-01\n"
            "next_review: 2099-01-01\n---\n" + "\n\n".join(body) + "\n"
        )


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(text: str, limit: int) -> str:
    """Docstring text as Markdown paragraphs: lines that Markdown would read as headings,
    rules or deep quotes are escaped, and the text is cut at ``limit`` characters."""
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " ..."
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped[:1] in {"#", ">", "=", "-", "*", "+", "<"} or stripped[:1].isdigit():
            line = "\\" + stripped if stripped[:1] not in "0123456789" else stripped
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def page_id(name: str) -> str:
    """``json.dumps`` -> ``py-json-dumps``."""
    return "py-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _paragraphs(doc: str) -> tuple[str, str]:
    parts = re.split(r"\n\s*\n", doc.strip(), maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


def _signature(name: str, obj: object) -> str | None:
    try:
        return f"{name}{inspect.signature(obj)}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _page(name: str, obj: object) -> Page | None:
    doc = inspect.getdoc(obj) or ""
    if len(doc) < MIN_DOC_CHARS:
        return None
    answer, rest = _paragraphs(doc)
    sections: list[tuple[str, str]] = []
    if not inspect.ismodule(obj) and (signature := _signature(name, obj)):
        sections.append(("Signature", signature))
    if rest:
        sections.append(("Details", rest))
    if inspect.isclass(obj):
        for method_name, method in sorted(vars(obj).items())[:200]:
            if len(sections) >= MAX_METHODS + 2 or method_name.startswith("_"):
                continue
            method_doc = inspect.getdoc(method) if callable(method) else None
            if method_doc and len(method_doc) >= MIN_DOC_CHARS:
                sections.append((f"{name}.{method_name}", method_doc))
    return Page(page_id(name), name, answer, tuple(sections))


def _members(base: str, module: object) -> Iterator[tuple[str, object]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    for member_name in sorted(set(names)):
        if member_name.startswith("_"):
            continue
        member = getattr(module, member_name, None)
        if not (inspect.isclass(member) or inspect.isroutine(member)):
            continue
        defined_in = getattr(member, "__module__", "") or ""
        defined_in = _ALIASES.get(defined_in, defined_in)
        # Keep what the module itself defines (or re-exports from its private C part).
        if defined_in.lstrip("_") not in {base, base.split(".")[-1]} and not defined_in.startswith(
            (base + ".", "_" + base.split(".")[-1])
        ):
            continue
        yield member_name, member


def stdlib_pages(limit: int) -> list[Page]:
    """Up to ``limit`` pages: every listed module's page and its members', in a fixed order."""
    pages: dict[str, Page] = {}
    titles: set[str] = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module_name in MODULES:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            found = [(module_name, module)]
            found += [(f"{module_name}.{n}", m) for n, m in _members(module_name, module)]
            for name, obj in found:
                page = _page(name, obj)
                if page is None or name in titles:
                    continue
                titles.add(name)
                while page.page_id in pages:  # inspect.Signature and inspect.signature
                    page = replace(page, page_id=page.page_id + "-2")
                pages[page.page_id] = page
    return list(pages.values())[:limit] if len(pages) > limit else list(pages.values())


def write_pages(pages: list[Page], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for page in pages:
        (folder / f"{page.page_id}.md").write_text(page.markdown(), encoding="utf-8")
