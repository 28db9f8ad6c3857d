"""The project's own code, as the tests that scan it or its models see it: one list."""

# The apps, each named by its job (README: "Where the code is"); their models' app labels.
APPS = (
    *("accounts", "filings", "review", "exports", "importers", "indicators", "projects"),
    *("attachments", "audit"),
)
# Every package of project code: the apps and the project's settings and glue.
PACKAGES = (*APPS, "perfgoals")
