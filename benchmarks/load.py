"""Concurrent clients against a running server: log in, then hammer one URL.

Plain http.client in threads, one connection per client, kept alive as long
as the server allows (gunicorn's sync workers close it after each response;
the client then reconnects, as a browser would).
"""

import http.client
import re
import statistics
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    content_type: str = ""


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies: list  # seconds, of the successful requests
    first_error: str = ""

    @property
    def per_second(self):
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction):
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[
            round(fraction * 100) - 1
        ]


class Session:
    """A logged-in user's cookies, shared by that user's clients."""

    def __init__(self, host, port, username, password):
        self.host, self.port = host, port
        self.cookies = {}
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        html = response.read().decode()
        self._keep(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = urlencode({"username": username, "password": password})
        body += f"&csrfmiddlewaretoken={token}"
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.cookie_header,
                "Referer": f"http://{host}:{port}/accounts/login/",
            },
        )
        response = connection.getresponse()
        response.read()
        self._keep(response)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: HTTP {response.status}")

    def _keep(self, response):
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    @property
    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def headers(self, request):
        headers = {"Cookie": self.cookie_header}
        if request.method != "GET":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://{self.host}:{self.port}/"
        if request.content_type:
            headers["Content-Type"] = request.content_type
        return headers


def hammer(session, make_request, *, clients=16, seconds=10.0, warmup=1.0):
    """``clients`` threads sending ``make_request()`` for ``seconds`` after a warm-up.

    ``make_request`` is called for every request (so a scenario can vary what it
    sends); only requests that both start and end inside the measured window
    count.
    """
    lock = threading.Lock()
    latencies, errors, first_error = [], [0], [""]
    start = time.perf_counter() + warmup
    stop = start + seconds

    def client():
        connection = http.client.HTTPConnection(session.host, session.port, timeout=60)
        while True:
            request = make_request()
            began = time.perf_counter()
            if began >= stop:
                break
            try:
                connection.request(
                    request.method, request.path, request.body, session.headers(request)
                )
                response = connection.getresponse()
                response.read()
                ok = 200 <= response.status < 300
                problem = f"HTTP {response.status} on {request.path}"
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                ok, problem = False, f"{type(exc).__name__}: {exc}"
            ended = time.perf_counter()
            if began < start or ended > stop:
                continue
            with lock:
                if ok:
                    latencies.append(ended - began)
                else:
                    errors[0] += 1
                    first_error[0] = first_error[0] or problem
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(latencies), errors[0], seconds, sorted(latencies), first_error[0])
