"""One page, asked for over and over by signed-in clients (a locustfile of ``benchmarks.lists``).

``benchmarks.lists`` starts locust with this file once per scenario, headless,
as many users as clients and no wait between requests: each user sends the
next request when the previous one is answered, as the page's throughput
wants. ``PAGES_REQUEST`` (JSON) holds what to send (method, path, body,
content type) and the signed-in session's cookies; the statistics are reset
``PAGES_WARMUP`` seconds after the start, so that connecting and the first,
slower requests of each worker are not counted. A status outside 2xx is a
failure.
"""

import json
import os

import gevent
from locust import constant, events, task
from locust.contrib.fasthttp import FastHttpUser

REQUEST = json.loads(os.environ["PAGES_REQUEST"])
WARMUP = float(os.environ.get("PAGES_WARMUP", "1"))
NAME = "page"


@events.test_start.add_listener
def _reset_after_warmup(environment, **_kwargs):
    gevent.spawn_later(WARMUP, environment.runner.stats.reset_all)


class Client(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        headers = {"Cookie": REQUEST["cookie"]}
        if REQUEST["method"] != "GET":
            headers["X-CSRFToken"] = REQUEST["csrf"]
            headers["Referer"] = self.host + "/"
        if REQUEST["content_type"]:
            headers["Content-Type"] = REQUEST["content_type"]
        with self.client.request(
            REQUEST["method"],
            REQUEST["path"],
            name=NAME,
            data=REQUEST["body"],
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if 200 <= response.status_code < 300:
                response.success()
            else:
                response.failure(f"HTTP {response.status_code} on {REQUEST['path']}")
