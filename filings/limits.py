"""How much a filing may hold: the bounds every way in (wizard, editor, JSON, imports) applies.

A leaf module, imported by the services and the importers alike: the bounds
are the filing's, not any one reader's.
"""

# Years a filing may be of: a year outside is a misprint or a misreading.
YEARS = range(2000, 2101)

# The most third-level indicators one filing may hold: a few hundred is a large form,
# 100,000 a broken file (its page would take seconds, its admin page never answer).
MAX_INDICATORS = 500

# The most 年度重点任务 rows of an overall filing.
MAX_TASKS = 100
