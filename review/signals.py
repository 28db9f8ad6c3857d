"""What the review path announces, for the parts built on it to act upon.

The review path (``review.workflow``) knows nothing of the exports: it sends
these signals and the exports listen (``exports.dispatch``, connected
in ``FilingsConfig.ready``). Dependencies run one way: exports → workflow.
"""

from django.dispatch import Signal

# A version became the official text of its filing: the bureau approved it, or an approved
# filing was imported. Sent once the transaction has committed (never for a rolled-back
# approval), with ``version_id``; the sender is ``FilingVersion``.
version_approved = Signal()
