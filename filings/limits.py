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

# --- 导入Excel: what one uploaded workbook may hold -------------------------------
# The largest real upload is a project form at MAX_INDICATORS with long texts: 514 rows,
# 4,077 cells in columns A–I, 624 merged ranges covering 2,033 cells, a 1.3 MB sheet
# (1.1 MB of shared strings and 2,673 strings when Excel saves it), 13 cell styles,
# 13,300 XML elements read in about 0.08 s of CPU. Every bound below is at least six times
# that (the rows, an older bound, four times); what lies beyond is a file made to exhaust
# the server, not a form. Each part of the file is read once, streaming, and refused as
# soon as a bound is met (importers/xlsx_parts.py, xlsx_cells.py).

# The file as uploaded, and its zip directory (checked before anything is inflated).
MAX_ZIP_ENTRIES = 500
MAX_INFLATED_BYTES = 40 * 1024 * 1024  # all entries together, as declared
MAX_RATIO = 200  # deflate reaches ~1000:1 on a bomb; real sheets stay under ~30:1
RATIO_CHECKED_ABOVE = 1024 * 1024  # a tiny entry may compress well, it cannot hurt

# Each part, inflated: the sheet and the shared strings, and everything else read.
MAX_SHEET_BYTES = 8 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 8 * 1024 * 1024
MAX_SMALL_PART_BYTES = 1024 * 1024  # workbook, relationships, content types, styles, properties

# The form sheet (the only sheet read: the first visible one).
MAX_ROWS = 2000  # head, 500 indicators, 100 tasks: well under
MAX_COLUMNS = 256  # Excel 2003's last column (IV); the form uses 9
MAX_SHEET_CELLS = 50_000
MAX_MERGED_RANGES = 10_000
MAX_MERGED_CELLS = 50_000  # cells covered by merged ranges, within the columns read

# The shared strings (the texts of a workbook saved by Excel) and the styles.
MAX_SHARED_STRINGS = 50_000
MAX_STYLES = 5_000  # cell formats (cellXfs); Excel itself stops at 64,000

# The whole workbook: XML elements of every part read, their nesting, and the CPU time taken
# (the largest real form reads in about 0.05 s).
MAX_XML_ELEMENTS = 200_000
MAX_XML_DEPTH = 64
MAX_ELEMENTS_IN_ONE = 2_000  # inside one cell, string or style
READ_SECONDS = 5.0

# Uploads and previews one server process works on at once; the others are told to wait.
UPLOADS_AT_ONCE = 2
UPLOAD_WAIT_SECONDS = 1.0

# --- Attachments (立项依据, 实施方案, 测算明细…) of a filing -------------------------------
# A scanned 立项依据 of twenty pages at 150 dpi is 2–4 MB; a 测算明细 workbook well under 1 MB.
# One file stays within what nginx lets through (deploy/nginx: client_max_body_size, 1 MiB
# above the largest workbook of 导入Excel, which is the same 5 MiB).
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 20  # per filing, kept ones (not counting those only in older versions)
MAX_ATTACHMENTS_BYTES = 50 * 1024 * 1024  # per filing, kept ones together
MAX_ATTACHMENT_DESCRIPTION = 200  # characters of the short description
# Reading a PDF to look for scripts: objects walked and CPU time (a 300-page report has
# a few thousand objects, read in well under a second).
MAX_PDF_OBJECTS = 50_000
PDF_READ_SECONDS = 5.0
# An image's pixels, from its header before it is decoded: 50 megapixels is a photo of
# a large camera; a bomb declares billions.
MAX_IMAGE_PIXELS = 50_000_000
# --- 项目库: the year's project library a bureau loads (projects.loading) -----------
# A district's 一体化 export holds a few thousand projects a year; 5,000 load in a few
# seconds. Twice that is the bound: a larger file is a whole city's, to be split by bureau.
MAX_LIBRARY_LINES = 10_000
MAX_LIBRARY_BYTES = 10 * 1024 * 1024  # the file as uploaded, .xlsx or CSV
MAX_LIBRARY_COLUMNS = 40  # columns read; an export has 10–30
MAX_LIBRARY_CELLS = 400_000  # every cell of the sheet, read or not
MAX_LIBRARY_XML_ELEMENTS = 1_000_000
MAX_LIBRARY_CELL_CHARS = 500  # a CSV field; the longest column kept is the 200-character name
# CPU time reading the workbook: 5,000 projects take about 2.5 s, 10,000 twice that.
LIBRARY_READ_SECONDS = 12.0
