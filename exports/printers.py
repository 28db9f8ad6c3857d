"""Forms printed on every CPU: this process and forked children share them out as they go.

Each printer (this process first, then the children) takes the next form not
yet taken, lays it out, and takes another, until none is left; then it writes
the forms it took as one PDF (one font set). The work shares itself out
whatever each form costs and however fast each process runs: a child loads
the fonts at its first form, this process lays out the 目录 first, and either
runs slower when the machine is busy. A share fixed beforehand left one
process idle for up to 0.4 s of a 2.3 s bundle.

What the layouts leave is the writing, which costs each printer in proportion
to the forms it took: this process, having laid out the 目录, took fewer. So
near the end a child leaves the forms still to take to this process when it
would lay them all out and write them sooner than the child would one more
(``Share.take``).
"""

import gc
import math
import multiprocessing
import time
from dataclasses import dataclass

# What writing a form's pages costs against laying them out (30 forms on one
# process: 0.59 s of writing, 1.77 s of layout): what each form taken still costs
# its printer once every form is laid out.
WRITE_SHARE = 0.35


@dataclass
class Share:
    """What the printers share, in memory every process sees.

    ``next_form`` (its lock guards all of it) is the index of the next form to
    take; per printer: when it will be free to take another (monotonic seconds,
    infinite while it does something else), how long a form takes it (mean so
    far) and how many it took. ``joined`` numbers the children as they start.
    """

    next_form: object
    free_at: object
    per_form: object
    taken: object
    joined: object

    @classmethod
    def made(cls, context, printers):
        return cls(
            context.Value("i", 0),
            context.Array("d", [math.inf] * printers, lock=False),
            context.Array("d", printers, lock=False),
            context.Array("i", printers, lock=False),
            context.Value("i", 0),
        )

    def take(self, me, count):
        """The form printer ``me`` lays out next (an index below ``count``), or None."""
        now = time.monotonic()
        with self.next_form.get_lock():
            n = self.next_form.value
            if n >= count or (me and self._first_is_sooner(me, count - n, now)):
                return None
            self.next_form.value = n + 1
            self.taken[me] += 1
            # Before its first form is measured, a printer is reckoned as fast as the others.
            self.free_at[me] = now + (self.per_form[me] or max(self.per_form))
            return n

    def laid_out(self, me, seconds):
        """Printer ``me`` took ``seconds`` over the form it took last."""
        with self.next_form.get_lock():
            self.per_form[me] += (seconds - self.per_form[me]) / self.taken[me]

    def _first_is_sooner(self, me, left, now):
        """Whether the first printer would lay out the ``left`` forms and write all it
        took sooner than printer ``me`` would one more form."""
        mine = self.per_form[me]
        theirs = self.per_form[0] or mine
        if not mine:
            return False  # nothing measured yet
        first_done = self.free_at[0] + theirs * (left + (self.taken[0] + left) * WRITE_SHARE)
        me_done = now + mine * (1 + (self.taken[me] + 1) * WRITE_SHARE)
        return first_done <= me_done


# A forked printer's part: set when it starts (``_join``), as a pool's initializer does.
_part = None


def print_shared(documents, processes, lay_out, write, meanwhile):
    """``write(layouts, indexes, ahead)`` of each printer's forms (those that took any).

    ``lay_out(document)`` lays a form out. This process does ``meanwhile()`` first;
    what it returns is its own ``ahead``, written with its forms (None for the others).
    """
    context = multiprocessing.get_context("fork")
    share = Share.made(context, processes)
    # fork: the children start ready (Django set up, WeasyPrint and the templates
    # loaded, ``documents`` in memory: nothing is pickled but what they write). What
    # is here now is frozen out of the garbage collections while the forms are
    # printed, here and in the children: none walks it again (a tenth of the time),
    # nor does a child copy its pages for that.
    gc.freeze()
    try:
        with context.Pool(
            processes - 1, initializer=_join, initargs=(share, documents, lay_out, write)
        ) as pool:
            children = pool.map_async(_print_here, range(processes - 1), chunksize=1)
            ahead = meanwhile()
            written = [_print(share, 0, documents, lay_out, write, ahead), *children.get()]
    finally:
        gc.unfreeze()
    return [part for part in written if part is not None]


def _join(share, documents, lay_out, write):
    """A forked printer's start: its number and what it prints."""
    global _part
    with share.joined.get_lock():
        share.joined.value += 1
        me = share.joined.value
    _part = (share, me, documents, lay_out, write)


def _print_here(_task):
    return _print(*_part)


def _print(share, me, documents, lay_out, write, ahead=None):
    layouts, indexes = [], []
    while (n := share.take(me, len(documents))) is not None:
        started = time.monotonic()
        layouts.append(lay_out(documents[n]))
        indexes.append(n)
        share.laid_out(me, time.monotonic() - started)
    share.free_at[me] = math.inf  # writing: it takes no more
    return write(layouts, indexes, ahead) if layouts or ahead else None
