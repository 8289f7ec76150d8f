"""Tasks for the worker's tests only (never registered by the application)."""

import time
from pathlib import Path

from django_tasks import task

from maillage.jobs.models import WorkerHeartbeat


@task()
def note(path: str, word: str) -> str:
    """Append `word` to the file at `path`."""
    with Path(path).open("a") as out:
        out.write(word + "\n")
    return word


@task()
def slow_count(path: str, seconds: float) -> int:
    """Note a start, sleep, note the end: a job that a killed worker leaves half done. Idempotent: it writes the
    number of workers seen into `path`.done, whatever ran before."""
    with Path(path).open("a") as out:
        out.write("start\n")
    time.sleep(seconds)
    done = Path(path + ".done")
    done.write_text(str(WorkerHeartbeat.objects.count()))
    with Path(path).open("a") as out:
        out.write("end\n")
    return 42
