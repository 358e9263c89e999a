"""Statement texts that are pathological for a Markdown parser, at any size.

Each family makes a text of about `size` characters from one construct repeated: unmatched
or deeply nested brackets, emphasis and backtick runs, escapes, deep quote and list nesting,
long blocks without a blank line, thousands of footnote references... Numbered words
("w0", "w1", …) are woven in every so often, so a test can check that nothing vanished.
Used by tests/text/test_markdown_bounds.py (words kept) and bench/bench_markdown.py (time).
"""

from __future__ import annotations

from collections.abc import Callable


def weave(unit: str, size: int, every: int = 40, prefix: str = "", suffix: str = "") -> str:
    """`unit` repeated up to `size` characters, with the word "w<n>" after every `every`."""
    parts, length, n = [prefix], len(prefix), 0
    block = unit * every
    while length < size:
        word = f"w{n}"
        parts += [block, word]
        length += len(block) + len(word)
        n += 1
    parts.append(suffix)
    return "".join(parts)


def nested(opening: str, middle: str, closing: str, size: int) -> str:
    """`opening` k times, then `middle`, then `closing` k times (numbered words inside)."""
    k = max(1, size // (len(opening) + len(closing) + 4))
    inner = "".join(f"{opening}w{i} " for i in range(k))
    return inner + middle + closing * k


def quote_ladder(size: int) -> str:
    lines, n = [], 0
    while sum(map(len, lines)) < size:
        lines.append(">" * (n % 400 + 1) + f" w{n}\n")
        n += 1
    return "".join(lines)


def list_ladder(size: int) -> str:
    lines, n = [], 0
    while sum(map(len, lines)) < size:
        lines.append("    " * (n % 200) + f"- w{n}\n")
        n += 1
    return "".join(lines)


def tick_descent(size: int) -> str:
    """Backtick runs of falling length: each opening run finds none of its length after."""
    runs, n, k = [], 0, int((2 * size) ** 0.5)
    while k > 0:
        runs.append("`" * k + f" w{n} ")
        n, k = n + 1, k - 1
    return "".join(runs)


def footnotes(size: int) -> str:
    return "".join(f"w{i}[^{i}]\n\n[^{i}]: n{i}\n\n" for i in range(size // 20))


FAMILIES: dict[str, Callable[[int], str]] = {
    "prose (for comparison)": lambda n: weave(
        "We, the cities and **regions**, agree to *restore* ecosystems. ", n, 2, suffix="\n\n"),
    "unclosed [": lambda n: weave("[", n),
    "unclosed [ with text": lambda n: weave("[a ", n),
    "nested [ ]": lambda n: nested("[", "x", "]", n),
    "nested links": lambda n: nested("[", "x", "](u)", n),
    "[a]( unclosed": lambda n: weave("[a](", n),
    "[a]( parentheses": lambda n: weave("[a](((((((((()", n, 4),
    "[a][ unclosed": lambda n: weave("[a][", n),
    "[a] pairs": lambda n: weave("[a]", n),
    "![ images": lambda n: weave("![", n),
    "[^ footnote starts": lambda n: weave("[^", n),
    "*[ mixed": lambda n: weave("*[", n),
    "[` mixed": lambda n: weave("[`", n),
    "one footnote, many references": lambda n: "[^1]: The note.\n\n" + weave("x[^1]", n),
    "many footnotes": footnotes,
    "*a emphasis starts": lambda n: weave("*a", n),
    "**a strong starts": lambda n: weave("**a", n),
    "*_ delimiters": lambda n: weave("*_", n),
    "a* emphasis ends": lambda n: weave("a*", n),
    "*a* emphasis": lambda n: weave("*a* ", n),
    "**a then a**": lambda n: nested("**a", "x", "a**", n),
    "strong of many emphases": lambda n: weave("**" + "*a* " * 2000 + "**\n\n", n, 1),
    "link of many emphases": lambda n: weave("[" + "*a* " * 2000 + "](u)\n\n", n, 1),
    "emphasis cutting a placeholder": lambda n: weave("_*b*c_p*[x](u)* ", n, 2),
    "`a backtick starts": lambda n: weave("`a", n),
    "``a backtick pairs": lambda n: weave("``a", n),
    "backtick runs of falling length": tick_descent,
    "backtick opener, then many": lambda n: weave("``" + " `a" * 3000 + "\n", n, 1),
    "\\* escapes": lambda n: weave("\\*", n),
    "\\ backslashes": lambda n: weave("\\", n),
    "<a raw html starts": lambda n: weave("<a", n),
    "<!-- comments": lambda n: weave("<!--", n),
    "<http:// autolink starts": lambda n: weave("<http://", n),
    "&#1 entity starts": lambda n: weave("&#1", n),
    "> quote nesting": lambda n: weave(">", n, 200),
    "> quote ladder": quote_ladder,
    "1. list nesting": lambda n: weave("1. ", n, 200),
    "- list nesting": lambda n: weave("- ", n, 200),
    "indented list ladder": list_ladder,
    "- > lists of quotes": lambda n: weave("- > ", n, 100),
    "many list items": lambda n: weave("- a\n", n),
    "setext headings without blank lines": lambda n: weave("a\n=\n", n),
    "setext headings in a quote": lambda n: weave("> a\n> =\n", n),
    "rules without blank lines": lambda n: weave("---\n", n, suffix="\n"),
    "headings without blank lines": lambda n: weave("# a\n", n, suffix="\n"),
    "code and headings alternating": lambda n: weave("    a\n# b\n", n, suffix="\n"),
    "paragraph lines and reference definitions": lambda n: weave("x\n[a]: b\n", n, suffix="\n"),
    "reference definitions": lambda n: weave("[a]: b\n", n, suffix="\n"),
    "table rows": lambda n: "|a|b|\n|-|-|\n" + weave("|*x*|[y](z)|\n", n),
    "wide table": lambda n: weave("|a", n // 2) + "\n" + "|-" * (n // 4) + "\n",
    "line breaks": lambda n: weave("a  \n", n),
    "everything at once": lambda n: weave("[*_`<>](\\", n, 10),
}
