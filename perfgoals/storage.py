"""The storage of the static files in production: WhiteNoise's hashed and compressed files."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed names for the imports of our ES modules too.

    Without this, ``import … from "./autosave.js"`` in a hashed ``wizard.abc123.js`` loads the
    unhashed ``autosave.js``, cached apart from the page: after a deployment a browser could
    run the new page's module with an old dependency. With it, collectstatic rewrites each
    relative import to the hashed name (the statements must end in ";"; tests/test_frontend.py
    checks that they do).
    """

    support_js_module_import_aggregation = True
