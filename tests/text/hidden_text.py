"""A statement text full of ways to hide a clause, and how to read what a reader sees.

Every word of HIDDEN_CLAUSES is in the hashed source; each must also be visible wherever the
text is shown (the public page, the endorse page, every export). A word is a run of letters
or digits; the check is case-sensitive.
"""

from __future__ import annotations

import html
import re

HIDDEN_CLAUSES = """# Statement of the cities

We, the cities, agree to protect nature.

<!-- Commentclause: we also cede the harbour to Acme -->

Inline <!-- inlinecomment clause --> text and <b title="attributeclause">boldclause</b>.

<style>.styleclause { display: none }</style>

<noscript>noscriptclause</noscript> <script>scriptclause()</script>

<template>templateclause</template> <iframe srcdoc="iframeattribute">iframeclause</iframe>

<textarea>textareaclause</textarea> <title>titleclause</title> <xmp>xmpclause</xmp>

<object data="objectclause">objectbody</object> <noembed>noembedclause</noembed>

<div hidden>divhiddenclause</div> <span style="display:none">spanclause</span>

<details><summary>summaryclause</summary>detailsclause</details>

<![CDATA[ cdataclause ]]> <?php echo "processingclause"; ?>

[//]: # (referencecomment clause)

[label]: https://example.org/referenceurl "referencetitle"

| Head | Col |
|------|-----|
| cellone | celltwo | extracellclause |

![imagealtclause](https://example.org/imagesource.png)

The footnote marker ///Footnotes Go Here/// stays text.

We commit to restore rivers.[^1]

<math><mi>mathclause</mi>

After math, afterclause.

<svg><text>svgclause</text>

The last sentence, lastclause.

[^1]: A footnote, footnoteclause."""

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> set[str]:
    """The runs of letters and digits in `text`."""
    return set(_WORD.findall(text))


def html_visible_text(page: str) -> str:
    """The text a browser shows: without the page's own <style>, <script> and <head>, tags
    and comments removed, entities decoded."""
    page = re.sub(r"(?is)<head\b.*?</head>|<style\b.*?</style>|<script\b.*?</script>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->|<[^>]*>", " ", page)
    return html.unescape(page)


def missing_words(source: str, shown: str) -> set[str]:
    return words(source) - words(shown)
