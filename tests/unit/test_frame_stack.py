"""Room on CPython's frame stack (exports/frame_stack.py).

A recursion that rises and falls across the end of a chunk of the frame
stack makes CPython take a fresh chunk from the system each time it rises:
its pages fault anew. Called with room, the same recursion faults no page
after its first rise. (On a CPython that keeps a spare chunk, gh-142183, the
first assertion fails: exports/frame_stack.py is then no longer needed.)
"""

import resource

import pytest

from exports import frame_stack

RISES = 300


def _deep(depth):
    # A few locals make each frame larger: 200 of them pass a 16 KiB chunk's end.
    a = b = c = d = depth
    return _deep(depth - 1) + a + b - c - d if depth else 0


def _rise_and_fall():
    """Page faults of this thread over ``RISES`` recursions 200 deep, after a first one."""
    _deep(200)
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    for _ in range(RISES):
        _deep(200)
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


def test_a_deep_recursion_faults_no_page_again_when_called_with_room():
    # Without room, each rise takes a fresh chunk (here: on CPython 3.11, whose frame
    # stack gives a chunk back as soon as the calls return below it).
    assert _rise_and_fall() >= RISES
    assert frame_stack.with_room(_rise_and_fall) < RISES / 10


def test_with_room_passes_arguments_results_and_errors_through():
    assert frame_stack.with_room(divmod, 17, 5) == (3, 2)
    assert frame_stack.with_room(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]
    with pytest.raises(ZeroDivisionError):
        frame_stack.with_room(divmod, 1, 0)
