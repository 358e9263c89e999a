"""The standalone, print-ready HTML export: one file, its stylesheet embedded, no script.

Its Content-Security-Policy allows exactly its own stylesheet (by hash) and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

from ..fonts import FAMILY_NAMES
from ..text.markdown import render_markdown
from .model import Published, Signatory, check_command, check_line, record_line

# The PDF's fonts, named: Noto Sans for Latin, Cyrillic and Greek, then a Noto family per
# script (a browser takes each character from the first that has it), then colour emoji.
FONT_FAMILY = ", ".join([*(f'"{name}"' for name in FAMILY_NAMES), "sans-serif"])
STYLE = """
@page { size: A4; margin: 20mm 18mm 22mm; }
html { font-family: """ + FONT_FAMILY + """;
       color: #111; line-height: 1.5; }
body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
header { border-bottom: 2px solid #111; margin-bottom: 1.5rem; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 .25rem; }
.occasion { font-size: 1.05rem; margin: 0 0 .75rem; }
.check, .check code { font-family: "Noto Sans Mono", Menlo, Consolas, monospace;
                      font-size: .8rem; overflow-wrap: anywhere; }
.text h1 { font-size: 1.4rem; } .text h2 { font-size: 1.2rem; } .text h3 { font-size: 1.05rem; }
section.signatories { margin-top: 2rem; border-top: 1px solid #999; }
section.signatories h3 { margin-bottom: .25rem; }
ul.signatories { list-style: none; padding: 0; columns: 2 18rem; }
ul.signatories li { break-inside: avoid; margin-bottom: .4rem; }
.who { font-weight: bold; }
.details { display: block; font-size: .9rem; color: #333; }
footer { margin-top: 2rem; font-size: .8rem; color: #444; }
@media print { body { margin: 0; max-width: none; } a { color: #111; text-decoration: none; } }
"""

STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode()
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'none'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _signatory(s: Signatory) -> str:
    # <bdi> isolates each name, so a right-to-left name cannot reorder its neighbours.
    details = ", ".join(f"<bdi>{escape(part)}</bdi>"
                        for part in (s.capacity, s.organisation, s.city, s.country) if part)
    # The verification is printed once, as a mark of its own after the name.
    details_html = f'<span class="details">{details}</span>' if details else ""
    mark = ' <span class="verified">verified</span>' if s.verification == "verified" else ""
    return f'<li><bdi class="who">{escape(s.name)}</bdi>{mark}{details_html}</li>'


def render_html(pub: Published) -> bytes:
    groups = []
    for _, label, people in pub.by_kind():
        items = "\n".join(_signatory(s) for s in people)
        groups.append(f"<h3>{escape(label)} ({len(people)})</h3>\n"
                      f'<ul class="signatories">\n{items}\n</ul>')
    signatories = "\n".join(groups) or "<p>No public signatories yet.</p>"
    command = check_command(pub)
    check = f"<p>Check this text: <code>{escape(command)}</code></p>" if command else ""
    occasion = f'<p class="occasion">{escape(pub.occasion)}</p>' if pub.occasion else ""
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(pub.title)} — version {pub.version}</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>{escape(pub.title)}</h1>
{occasion}
<p class="check">{escape(check_line(pub))}</p>
<p class="check">{escape(record_line(pub))}</p>
</header>
<main>
<article class="text">
{render_markdown(pub.text)}
</article>
<section class="signatories">
<h2>Signatories ({len(pub.signatories)})</h2>
{signatories}
</section>
</main>
<footer>
<p>{escape(check_line(pub))}</p>
{check}
</footer>
</body>
</html>
"""
    return document.encode("utf-8")
