"""A private PostgreSQL 15 cluster that one run may stop and start at will.

The machine's PostgreSQL (127.0.0.1:5432) is shared by other engineers and CI
and is never stopped. The fault run (``benchmarks.loadrun``) and the outage
test (``tests/test_database_outage.py``) need a server they can take down in
the middle of a request, so they make their own: ``initdb`` into a temporary
directory owned by ``postgres`` (initdb refuses to run as root), served on
127.0.0.1 at a port of this task (55433), removed at the end.

    with cluster.Cluster() as pg:
        url = pg.url("perfgoals")      # postgres://postgres@127.0.0.1:55433/perfgoals
        pg.stop()                      # pg_ctl stop -m fast: connections are cut
        pg.start()
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
PORT = 55433


def available():
    """Why a private cluster cannot be made here, or "" when it can."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        return f"PostgreSQL 15 server binaries are not installed ({BIN})"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres system user to run the cluster as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "a private cluster needs root (to run initdb as postgres) or the postgres user"
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            return f"port {PORT} is taken (another fault run or outage test?)"
    return ""


class Cluster:
    """initdb, start, stop and remove a throwaway cluster on ``port``."""

    def __init__(self, port=PORT):
        self.port = port
        self.directory = None

    def _as_postgres(self, *command, check=True):
        prefix = [] if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--"]
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=check, timeout=120
        )

    def __enter__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="perfgoals_cluster_"))
        user = pwd.getpwnam("postgres")
        os.chown(self.directory, user.pw_uid, user.pw_gid)
        try:
            self._as_postgres(
                str(BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",  # a throwaway cluster: nothing to make durable
            )
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write(
                    f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.directory}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                    "max_connections = 100\nshared_buffers = 128MB\n"
                )
            self.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self.directory is None:
            return
        if (self.data / "postmaster.pid").exists():
            pg_ctl = str(BIN / "pg_ctl")
            self._as_postgres(pg_ctl, "-D", str(self.data), "stop", "-m", "immediate", check=False)
        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory = None

    @property
    def data(self):
        return self.directory / "data"

    def url(self, database="postgres"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self):
        """Start the server and wait until it accepts connections."""
        self._as_postgres(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "start",
        )

    def stop(self):
        """Stop at once, as an outage does: open connections are cut, new ones refused."""
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "stop", "-m", "fast")

    def create_database(self, name):
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres")
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def wait_until_refusing(self, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the cluster on port {self.port} still accepts connections")
