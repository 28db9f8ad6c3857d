"""Reading the JSON body of a script's request, refusing what would break the view.

Every endpoint that a page's script posts JSON to reads its body here, so that
no body can turn into a 500: the size is checked before the body is read, the
nesting depth before ``json.loads`` runs (its parser recurses, and a body
nested 100,000 deep ends in ``RecursionError``), and the parsed value is
walked once for what ``json.loads`` lets through but the code after it cannot
take: ``NaN``/``Infinity``/``1e309`` (``int(inf)`` raises ``OverflowError``),
integers beyond 64 bits (no database column holds them) and lone surrogates
such as ``"\\ud800"`` (a ``str`` that cannot be encoded as UTF-8, so the
database driver raises). Each refusal is a ``BadBody`` whose message, in
Chinese, names the key where the problem is; ``endpoint`` answers it with a
400 in the shape the editor's script reads, ``{"ok": false, "error": …,
"errors": []}``.

A 400, not 413: the page's script shows the ``error`` of a 400 and waits for
the filer's next change, where a status it does not know makes it retry the
same body again and again.
"""

import json
import math
import re
from array import array
from functools import wraps
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from perfgoals.auth import wants_json

# The largest value a 64-bit signed integer column (BigAutoField, lock_version) holds.
MAX_INT64 = 2**63 - 1
MIN_INT64 = -(2**63)
# Nineteen digits reach MAX_INT64; longer is out of range whatever the digits, and is
# refused without building the integer (int() of a long digit string is quadratic).
_MAX_INT_DIGITS = 19
# The editor's body is {"rows": [{...}]}: three levels. Room for more, none for abuse.
MAX_DEPTH = 16

# A JSON string, escapes included; what is inside a string is not structure.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = b"[]{}"
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in _BRACKETS)
# An opening bracket becomes +1 and a closing one -1 (0xff as a signed byte).
_STEPS = bytes.maketrans(_BRACKETS, b"\x01\xff\x01\xff")
_SURROGATE = re.compile("[\ud800-\udfff]")
# ASCII digits only: int() also takes "١" (Arabic-Indic one) and "1_000".
_INTEGER_TEXT = re.compile("-?[0-9]+")


class BadBody(Exception):
    """A request body refused before the view used it; ``str()`` is the Chinese message."""

    def __init__(self, message, key=None):
        super().__init__(message)
        self.key = key


# What the parser hooks put where a number cannot be used, for the walk to name its key.
_NON_FINITE = object()
_TOO_LONG = object()


def _parse_int(text):
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return _TOO_LONG
    return int(text)


def _parse_float(text):
    number = float(text)
    return number if math.isfinite(number) else _NON_FINITE


def _parse_constant(_name):
    # NaN, Infinity and -Infinity: JavaScript's JSON.stringify never writes them.
    return _NON_FINITE


def _max_bytes():
    return settings.JSON_BODY_MAX_BYTES


def depth(body):
    """How deep ``body``'s arrays and objects nest, counting brackets outside strings.

    Cheap enough to run on every body before parsing: two C-level passes over
    the bytes. An unterminated string leaves its brackets counted, which can
    only make a broken body look deeper.
    """
    steps = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS).translate(_STEPS)
    return max(accumulate(array("b", steps)), default=0)


def _where(path):
    # A key is the sender's text: a long one is cut, the message stays readable.
    return (path if len(path) <= 80 else path[:79] + "…") or _("提交的数据")


def _check(value, path):
    """Refuse what json.loads let through that the code after it cannot use."""
    if value is _NON_FINITE:
        raise BadBody(_("%(key)s 必须是有限的数字。") % {"key": _where(path)}, path)
    if value is _TOO_LONG or (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not MIN_INT64 <= value <= MAX_INT64
    ):
        raise BadBody(_("%(key)s 超出整数范围。") % {"key": _where(path)}, path)
    if isinstance(value, str):
        if _SURROGATE.search(value):
            raise BadBody(
                _("%(key)s 含有无效的字符（不成对的代理码位），请删除后重试。")
                % {"key": _where(path)},
                path,
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            if _SURROGATE.search(key):
                raise BadBody(_("提交的数据中有含无效字符的键名。"), path)
            _check(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")


def parse(body, *, limit=None):
    """The JSON object in ``body`` (bytes), or BadBody saying what is wrong with it."""
    limit = _max_bytes() if limit is None else limit
    if len(body) > limit:
        raise BadBody(_too_big(limit))
    if not body.strip():
        return {}
    if depth(body) > MAX_DEPTH:
        raise BadBody(_("提交的数据嵌套超过 %(max)s 层，无法处理。") % {"max": MAX_DEPTH})
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody(_("提交的数据不是有效的 UTF-8 文本。")) from None
    try:
        data = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except (ValueError, RecursionError):
        # RecursionError cannot happen below MAX_DEPTH; should the limit ever be raised past
        # the interpreter's, it is still a refusal and never a 500.
        raise BadBody(_("提交的数据不是有效的 JSON。")) from None
    if not isinstance(data, dict):
        raise BadBody(_("提交的数据应为 JSON 对象（{…}）。"))
    _check(data, "")
    return data


def _too_big(limit):
    return _("提交的数据超过 %(size)s KB 的上限，未处理。") % {"size": limit // 1024}


def read(request, *, limit=None):
    """The request's JSON object, or BadBody. The size is checked before the body is read."""
    limit = _max_bytes() if limit is None else limit
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BadBody(_too_big(limit))
    try:
        body = request.body
    except RequestDataTooBig:
        # Django's own bound (DATA_UPLOAD_MAX_MEMORY_SIZE), should it be set lower.
        raise BadBody(_too_big(limit)) from None
    return parse(body, limit=limit)


def integer(data, key, *, minimum=0, maximum=MAX_INT64):
    """``data[key]`` as an int within [minimum, maximum], or BadBody naming ``key``.

    A string of ASCII digits is taken too (a form field carries its number so);
    a bool, a float, Unicode digits (``int("١")`` is 1) and anything else are not.
    """
    value = data.get(key)
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        if len(value.strip().lstrip("-")) > _MAX_INT_DIGITS:
            raise BadBody(_("%(key)s 超出范围，请刷新页面后重试。") % {"key": key}, key)
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadBody(_("%(key)s 必须是整数，请刷新页面后重试。") % {"key": key}, key)
    if not minimum <= value <= maximum:
        raise BadBody(_("%(key)s 超出范围，请刷新页面后重试。") % {"key": key}, key)
    return value


def refusal(message, status=400):
    """The answer to a refused body, in the shape the editor's script reads."""
    return JsonResponse({"ok": False, "error": str(message), "errors": []}, status=status)


def answers_json(request):
    """Does this request's page script want JSON, whatever happens (a 500 included)?"""
    return (
        getattr(request, "answers_json", False)
        or wants_json(request)
        or request.content_type == "application/json"
    )


def endpoint(view):
    """For a view that only answers JSON: a BadBody is a 400, a crash a JSON 500.

    The mark on the request is read by the site's handler500
    (``perfgoals.outage.server_error``): an uncaught exception is still logged
    and reported by Django as every other, and the script gets JSON it can show.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.answers_json = True
        try:
            return view(request, *args, **kwargs)
        except BadBody as refused:
            return refusal(refused)

    return wrapped


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """handler400: what Django refuses before the view runs, in JSON for a page's script.

    A form body over DATA_UPLOAD_MAX_MEMORY_SIZE or with too many fields (the
    wizard's autosave) is refused by Django itself; the script gets JSON it can
    read, a page Django's own 400.
    """
    if answers_json(request):
        return refusal(_("提交的数据过大或格式不正确，未处理。请刷新页面后重试。"))
    return defaults.bad_request(request, exception, template_name)
