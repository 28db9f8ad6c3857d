"""How many uploads one server process reads and previews at once.

Reading an upload is bounded (``filings.limits``), but a few bounded uploads at
once still take the cores a web process shares with every other user's pages.
Past ``UPLOADS_AT_ONCE`` an upload waits ``UPLOAD_WAIT_SECONDS`` for a slot, then
is told to try again (``Busy``): the pages of everyone else keep answering.
"""

import contextlib
import threading

from filings import limits

_slots = threading.BoundedSemaphore(limits.UPLOADS_AT_ONCE)


class Busy(Exception):
    """Every slot stayed taken while the upload waited."""


@contextlib.contextmanager
def upload_slot():
    """Hold one of the process's upload slots, or raise Busy."""
    if not _slots.acquire(timeout=limits.UPLOAD_WAIT_SECONDS):
        raise Busy
    try:
        yield
    finally:
        _slots.release()
