"""Every state change, as plain functions taking explicit objects and an explicit actor.

Operations check permissions first, flush, and never commit: the adapter (a view,
an API endpoint, a command) commits once, so a failed request writes nothing.
"""
