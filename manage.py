#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import gc
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    # The command is done and the process ends: what it made needs no more collecting.
    # Python's collections at shutdown would walk it all (after printing a 30-form
    # bundle: 0.25 s of WeasyPrint's boxes, a tenth of the whole print).
    gc.freeze()


if __name__ == "__main__":
    main()
