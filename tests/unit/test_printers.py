"""How the printers of a bundle share its forms out (exports/printers.py).

Each takes the next form as it is free; near the end a child leaves what is
left to the first printer (the one that laid out the 目录, and took fewer
forms) when that one would lay them out and write everything sooner.
"""

import math
import multiprocessing
import time

import pytest

from exports import printers


def _share(per_form, taken, free_at, next_form):
    share = printers.Share.made(multiprocessing.get_context("fork"), len(per_form))
    share.per_form[:] = per_form
    share.taken[:] = taken
    share.free_at[:] = free_at
    share.next_form.value = next_form
    return share


def test_forms_are_taken_in_order_until_none_is_left():
    share = printers.Share.made(multiprocessing.get_context("fork"), 2)
    assert [share.take(0, 3), share.take(1, 3), share.take(0, 3), share.take(1, 3)] == [
        0,
        1,
        2,
        None,
    ]
    assert list(share.taken) == [2, 1]


def test_the_mean_time_of_a_printers_forms_is_kept():
    share = printers.Share.made(multiprocessing.get_context("fork"), 1)
    for seconds in (0.2, 0.1, 0.3):
        share.take(0, 10)
        share.laid_out(0, seconds)
    assert share.per_form[0] == pytest.approx(0.2)


def test_a_child_leaves_the_last_form_to_the_first_printer_when_it_would_finish_sooner():
    # The first printer laid out the 目录, then 10 forms; the child 16, at 0.1 s a form.
    # Writing costs the child 1.6 s of forms against the first's 1.0: one more form
    # there (0.1 s + its writing) ends later than the first printer doing it.
    now = time.monotonic()
    share = _share([0.1, 0.1], [10, 16], [now + 0.05, now], 26)
    assert share.take(1, 27) is None
    assert share.take(0, 27) == 26


@pytest.mark.parametrize(
    "left, first_free_in, child_takes",
    [
        (6, 0.05, True),  # too many left for the first printer alone
        (1, math.inf, True),  # the first printer is still on the 目录
        (1, 0.05, False),
    ],
)
def test_a_child_takes_the_next_form_unless_the_first_printer_would_finish_all_sooner(
    left, first_free_in, child_takes
):
    now = time.monotonic()
    share = _share([0.1, 0.1], [10, 16], [now + first_free_in, now], 26)
    assert (share.take(1, 26 + left) == 26) is child_takes


def test_a_child_with_nothing_measured_takes_its_first_form():
    share = _share([0.1, 0.0], [10, 0], [time.monotonic(), math.inf], 5)
    assert share.take(1, 6) == 5


def test_the_first_printer_takes_every_form_left():
    # It never leaves one: whatever the children leave is printed.
    now = time.monotonic()
    share = _share([1.0, 0.01], [0, 30], [now, now], 0)
    assert [share.take(0, 2), share.take(0, 2), share.take(0, 2)] == [0, 1, None]


def test_every_form_is_printed_once_by_forked_printers():
    # Real processes: whatever each took, the parts hold every form once.
    def lay_out(number):
        time.sleep(0.01 * (number % 3))
        return number

    parts = printers.print_shared(
        list(range(20)), 3, lay_out, lambda layouts, forms, ahead: (layouts, forms), lambda: None
    )
    taken = sorted(n for layouts, forms in parts for n in forms)
    assert taken == list(range(20))
    assert all(layouts == forms for layouts, forms in parts)
