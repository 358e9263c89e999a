"""Every state change, as plain functions taking explicit objects and an explicit actor.

Operations ask their rule (statements/rules.py) first, flush, and never commit: the
request cycle (http/cycle.py) or a command's write transaction commits once, so a failed
request writes nothing.
"""
