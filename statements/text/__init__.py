"""Pure text logic of statements: normalisation, diffs and patches, line numbering,
three-way merge, attribution and Markdown rendering.

Everything here is a function over strings. Nothing imports Flask, SQLAlchemy or any
other part of the application, so the rules can be tested (and argued about) on their
own.

Modules:
    normalise    how texts are stored and hashed
    words        what a word is; changed regions widened to whole words
    diff         the exact word-level diff and its HTML/JSON forms
    patch        diff-match-patch patch text, made and applied exactly
    lines        line numbering of the Markdown source
    merge        the exact three-way merge of an amendment onto the head
    attribution  which version introduced each span of a text
    markdown     Markdown to sanitised HTML
"""
