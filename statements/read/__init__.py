"""Read models: loading what a URL names, the questions pages and the API both ask, the
JSON shapes of the objects, and the full record. Nothing here changes data."""
