"""Building a document with Python's cyclic garbage collector paused.

The process that builds the docs holds every object of the environment (a
render: all it just wrote; at 1,000 customers hundreds of thousands of
dicts and lists). Building a document allocates some 100,000 more small
containers, most of them kept until the text is written and freed by
reference counting (a few hundred end up in reference cycles). Their number
alone makes the collector run a full collection now and then, and each one
walks the whole heap: ~0.12 s at 1,000 customers, as long as the rest of
the inventory. Pausing it while a document is built loses nothing: the next
collection after it takes whatever cyclic garbage there is.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def gc_paused() -> Iterator[None]:
    """No automatic garbage collection inside; the previous state restored after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
