"""The load run's users (a locustfile): filers, department and finance reviewers.

Run by ``benchmarks.loadrun``, which seeds the database and writes the plan
this file reads (``LOAD_PLAN``, JSON): the accounts of each role, the drafts
each filer edits (each draft has one editor, as in an office) with the rows
their indicator tables hold, and filings each account may open. Every request
is named by its page, not its URL, so that the figures read per page.

What counts as an error: a status the page never answers in normal use. A
refused submission (the checker found an error) is a redirect, so is a
decision; a 409 is expected only where two reviewers of one organisation may
race for the same filing, and is counted apart (``冲突``).

Saves carry a marker, ``〔负载标记 <account>-<n>〕``, in two fields of a step
and in every row of an indicator table. An acknowledged save is written to
``LOAD_EVENTS`` (JSON lines) with the failures and their times, so that
``benchmarks.loadrun`` can check after a database outage that each filing
holds one whole save (all fields and rows with the same marker) and no older
one than the last acknowledged.
"""

import itertools
import json
import os
import random
import re
import threading
import time

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
EVENTS = open(os.environ["LOAD_EVENTS"], "a", encoding="utf-8")  # noqa: SIM115  (for the run)
_events_lock = threading.Lock()
_accounts = {kind: itertools.count() for kind in ("filers", "department", "finance")}

CSRF_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOCK_VERSION = re.compile(r'name="lock_version" value="(\d+)"')
SEEN_VERSION = re.compile(r'name="seen_version" value="(\d+)"')
REVIEW_LINK = re.compile(r'href="/filings/(\d+)/review/"')


def log_event(**event):
    event["t"] = time.time()
    with _events_lock:
        EVENTS.write(json.dumps(event, ensure_ascii=False) + "\n")
        EVENTS.flush()


@events.request.add_listener
def _failure(request_type, name, response_time, response_length, exception, response=None, **kw):
    if exception is not None:
        status = getattr(response, "status_code", 0) or 0
        text = ""
        if response is not None and status >= 500:
            text = " ".join(re.sub(r"<[^>]+>", " ", response.text or "").split())[:160]
        log_event(kind="failure", page=name, status=status, error=str(exception)[:200], text=text)


def marker(account, number):
    return f"〔负载标记 {account}-{number}〕"


class Person(HttpUser):
    """A signed-in user of one account of the plan."""

    abstract = True
    wait_time = between(0.5, 2.0)
    kind = ""

    def on_start(self):
        accounts = PLAN[self.kind]
        self.account = accounts[next(_accounts[self.kind]) % len(accounts)]
        # Signed in before the run (benchmarks.loadrun): the session and a CSRF secret of
        # our own, which Django accepts in the cookie and the header alike.
        # The host's own domain, as the server's Set-Cookie would store them: one cookie of
        # each name in the jar, never two that conflict.
        host = self.host.split("://", 1)[1].split(":", 1)[0]
        self.csrf = "".join(random.choices(CSRF_CHARS, k=32))
        self.client.cookies.set("sessionid", self.account["session"], domain=host)
        self.client.cookies.set("csrftoken", self.csrf, domain=host)
        self.signed_in = True

    def sign_in(self):
        """Log in through the login page, as a browser does; False while the site cannot."""
        page = self.client.get("/accounts/login/", name="登录页")
        found = CSRF.search(page.text or "")
        if page.status_code != 200 or not found:
            return False
        response = self.client.post(
            "/accounts/login/",
            {
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": found.group(1),
            },
            headers={"Referer": self.host + "/accounts/login/"},
            name="登录",
            allow_redirects=False,
        )
        self.signed_in = response.status_code == 302 and "sessionid" in self.client.cookies
        return self.signed_in

    def headers(self, **extra):
        return {
            # The secret never changes in a session: Django sets the cookie again with it.
            "X-CSRFToken": self.csrf,
            "Referer": self.host + "/",
            **extra,
        }

    def send(self, method, path, name, ok=(200,), conflict=(), **kwargs):
        """One request; a status outside ``ok`` (and ``conflict``) is a failure.

        A user who is not signed in (the login failed while the database was down)
        signs in first, as a person sent to the login page would.
        """
        if not self.signed_in and not self.sign_in():
            time.sleep(1)
            return None
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code in ok:
                response.success()
            elif response.status_code in conflict:
                response.success()
                log_event(kind="conflict", page=name, status=response.status_code)
            else:
                response.failure(f"HTTP {response.status_code}")
                if response.headers.get("Location", "").startswith("/accounts/login/"):
                    self.signed_in = False
            return response

    # Pages of everyone ------------------------------------------------------------

    @task(2)
    def lists(self):
        self.send("GET", "/filings/", "申报列表")
        year = random.choice([2025, 2024, 2023])
        form = random.choice(["project", "unit", "department"])
        self.send("GET", f"/filings/?year={year}&form={form}", "申报列表（筛选）")
        self.send("GET", f"/filings/?page={random.randint(2, 5)}", "申报列表（翻页）")

    @task(2)
    def filing_page(self):
        pk = random.choice(self.account["visible"])
        self.send("GET", f"/filings/{pk}/", "申报详情")

    @task(1)
    def downloads(self):
        pk = random.choice(self.account["visible"])
        self.send("GET", f"/filings/{pk}/excel/", "下载Excel")
        approved = self.account.get("approved") or self.account["visible"]
        self.send("GET", f"/filings/{random.choice(approved)}/pdf/", "下载PDF（已批复版本）")


class Filer(Person):
    kind = "filers"
    weight = 3

    def on_start(self):
        super().on_start()
        self.drafts = list(self.account["drafts"])
        self.saves = itertools.count(1)

    @task(2)
    def mine(self):
        self.send("GET", "/filings/mine/", "我的申报")

    @task(1)
    def draft_pdf(self):
        # A draft's PDF is laid out afresh every time (a version's is kept once printed).
        if self.drafts:
            pk = random.choice(self.drafts)["pk"]
            self.send("GET", f"/filings/{pk}/pdf/", "下载PDF（草稿）")

    @task(6)
    def edit(self):
        if not self.drafts:
            return
        draft = random.choice(self.drafts)
        pk, step = draft["pk"], draft["step"]
        page = self.send("GET", f"/filings/{pk}/edit/{step}/", "向导步骤")
        found = page is not None and LOCK_VERSION.search(page.text or "")
        if not found:
            return
        version = int(found.group(1))
        number = next(self.saves)
        mark = marker(self.account["username"], number)
        data = {"lock_version": version, "nav": "autosave", **draft["fields"]}
        for name in draft["marked"]:
            data[name] = draft["fields"][name] + mark
        response = self.send(
            "POST",
            f"/filings/{pk}/edit/{step}/",
            "自动保存（步骤）",
            data=data,
            headers=self.headers(**{"X-Autosave": "1", "Accept": "application/json"}),
        )
        if response is None or response.status_code != 200:
            return
        answer = response.json()
        version = answer["lock_version"]
        log_event(kind="ack", part="fields", filing=pk, n=number, account=self.account["username"])

        number = next(self.saves)
        mark = marker(self.account["username"], number)
        rows = [{**row, "explanation": row["explanation"] + mark} for row in draft["rows"]]
        response = self.send(
            "POST",
            f"/indicators/filing/{pk}/rows/",
            "自动保存（指标表）",
            data=json.dumps({"lock_version": version, "rows": rows}),
            headers=self.headers(
                **{"Content-Type": "application/json", "Accept": "application/json"}
            ),
        )
        if response is None or response.status_code != 200:
            return
        version = response.json()["lock_version"]
        log_event(kind="ack", part="rows", filing=pk, n=number, account=self.account["username"])
        # Rows keep their keys: the next save of this table updates the same rows.
        if random.random() < 0.3:
            self.send("GET", f"/filings/{pk}/edit/review/", "检查与提交（预览）")
        if random.random() < 0.04:
            self.send(
                "POST",
                f"/filings/{pk}/submit/",
                "提交审核",
                ok=(302,),
                data={"lock_version": version},
                headers=self.headers(),
            )
            # Submitted (or refused and still a draft): either way this user stops editing it,
            # so that no autosave meets a filing that left the filer's hands.
            self.drafts.remove(draft)


class Reviewer(Person):
    abstract = True

    @task(3)
    def queue(self):
        page = self.send("GET", "/filings/queue/", "审核队列")
        waiting = REVIEW_LINK.findall(page.text or "") if page is not None else []
        if not waiting:
            return
        pk = random.choice(waiting)
        page = self.send("GET", f"/filings/{pk}/review/", "审核页", conflict=(403,))
        if page is None or page.status_code != 200:
            return
        found = SEEN_VERSION.search(page.text or "")
        if not found:
            return
        self.send(
            "POST",
            f"/filings/{pk}/review/comments/",
            "审核意见",
            ok=(302,),
            conflict=(400, 403),
            data={"target": "part:general", "body": "请补充满意度调查方式（负载测试）。"},
            headers=self.headers(),
        )
        if random.random() < 0.5:
            return
        approve = random.random() < 0.75
        sheet = (
            {"decision": "approve", "grade": "良", "completeness": "良", "relevance": "良"}
            | {"appropriateness": "良", "feasibility": "良"}
            if approve
            else {"decision": "return", "to_improve": "请补充资金测算依据（负载测试）。"}
        )
        self.send(
            "POST",
            f"/filings/{pk}/review/decide/",
            "审核决定",
            ok=(302,),
            # Two reviewers of one organisation may decide the same filing: one wins.
            conflict=(403, 409),
            data={"seen_version": found.group(1), **sheet},
            headers=self.headers(),
        )


class DepartmentReviewer(Reviewer):
    kind = "department"
    weight = 1


class FinanceReviewer(Reviewer):
    kind = "finance"
    weight = 1
