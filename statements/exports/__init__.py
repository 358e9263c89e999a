"""Writers of a published statement: Markdown, HTML, plain text, PDF, DOCX, JSON and CSV.

Each takes a :class:`~statements.exports.model.Published` (plain data, no database) and
returns bytes. Every export names the version and SHA-256 so anyone can check the text;
signatory fields are always literal text, never markup.
"""
