"""gunicorn's settings for production (`make serve`, i.e. `gunicorn -c config/gunicorn.py config.wsgi`).

Environment: BIND (address:port, several separated by commas; 127.0.0.1:8000 by default, a reverse proxy in
front), WEB_CONCURRENCY (processes), GUNICORN_THREADS (threads per process).
"""

import os


def cpu_count() -> int:
    """Cores this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(cpus: int) -> int:
    """2 per core plus one, at most 8: past that, more processes only hold more memory (each keeps its own copy
    of the search's facet index once sheets change) for the same cores."""
    return min(2 * cpus + 1, 8)


bind = [address.strip() for address in os.environ.get("BIND", "127.0.0.1:8000").split(",") if address.strip()]
workers = int(os.environ.get("WEB_CONCURRENCY") or default_workers(cpu_count()))
# Threads rather than sync workers: an export or an import that takes minutes is not taken for a hung process
# (the gthread worker tells the master it is alive between its own loops, whatever a request does), and a
# slow client reading a download holds a thread, not a whole process.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# Connections a process holds at most (answering `threads` of them, the others kept alive): a kept-alive connection
# stays with the process that accepted it, and one process runs Python on one core at a time. Unbounded (gunicorn's
# 1,000), one process of five held 28 of the load test's 36 connections and did 80 % of the work on one core while
# the other core idled; bounded, a busy process closes connections past `threads` kept alive and stops accepting,
# so the clients' next connections go to the other processes.
worker_connections = int(os.environ.get("GUNICORN_CONNECTIONS") or 2 * threads)
timeout = 60
graceful_timeout = 30
keepalive = 5
# The application is loaded once in the master (config/wsgi.py loads the facet index too), then shared by
# the forked workers. Code changes need a restart, not a HUP.
preload_app = True
# No access log: the application writes one JSON line per request (logger `maillage.requests`) on stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn ≥ 25 opens a control socket in $HOME by default: two servers of one user would fight over it.
control_socket_disable = True
proc_name = "maillage"
