"""Room on CPython's frame stack for WeasyPrint's recursion (CPython 3.11).

CPython keeps the frames of Python calls on a stack of chunks (16 KiB
each), taking a chunk from the system (mmap) when a call does not fit in the
current one and giving it back (munmap) as soon as the call returns below it.
WeasyPrint lays out and draws a form by recursion that rises and falls across
a chunk's end thousands of times, and each crossing costs a system call each
way and the page faults of a fresh chunk: 20,649 mmap/munmap pairs in a
30-form bundle (strace), 0.4 of its 0.84 s of system time.

A chunk is as large as the frame that asks for it, rounded up to a power of
two, and the frames called from that frame are stacked in what is left of it.
``with_room`` calls through a frame that reserves (``co_stacksize``) a little
over half a mebibyte: CPython gives it a chunk of 1 MiB, and all of
WeasyPrint's recursion above it (a few hundred frames, a hundred kilobytes at
most) stays inside. Only the pages the frames touch are ever made.

CPython fixed the churn upstream (gh-142183: a thread keeps one spare chunk,
3.13 and 3.14); 3.11, which this project runs on, has only security fixes.
On a CPython with the fix this costs nothing and saves little: drop it then.
"""

# Slots (8 bytes each) the calling frame reserves: its chunk is then 2**17 slots (1 MiB),
# with 61,000 slots (about 480 KiB) left for the frames above it.
RESERVED_SLOTS = 70_000


def with_room(function, *args, **kwargs):
    """``function(*args, **kwargs)``, its calls stacked in one chunk of CPython's frame stack."""
    return _roomy_call(function, args, kwargs)


def _call(function, args, kwargs):
    return function(*args, **kwargs)


# The same function with a frame that reserves RESERVED_SLOTS: what CPython sizes its
# chunk by. The slots beyond what the code uses are never touched.
_roomy_call = type(_call)(
    _call.__code__.replace(co_stacksize=RESERVED_SLOTS), globals(), "_roomy_call"
)
