"""An import killed with SIGKILL takes its parsing process with it: none is left reading a file nobody waits for
(before the fix, 11 times in 15, each holding about 80 MB)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from .conftest import process_environment
from .processes import children, open_for_writing, running

EXAMPLES = Path(__file__).parent / "data" / "actions_exemples.txt"
# A dry run parsing in a second process (whatever the size of the file), as big files are.
IMPORT = (
    "import sys, django; django.setup(); from maillage.exchange import pipeline, services; "
    "pipeline.PARALLEL_MIN_BYTES = 0; services.import_actions(sys.argv[1], dry_run=True)"
)


def test_the_parsing_process_dies_with_a_killed_import(sqlite_file, tmp_path):
    fifo = tmp_path / "fiches.txt"
    os.mkfifo(fifo)
    process = subprocess.Popen([sys.executable, "-c", IMPORT, str(fifo)], env=process_environment(sqlite_file),
                               cwd=settings.BASE_DIR)  # fmt: skip
    left: list[int] = []
    try:
        with open_for_writing(fifo, process) as feed:  # the parsing process opened it: it reads, the import waits
            feed.write(EXAMPLES.read_bytes()[:2000])
            feed.flush()
            left = children(process.pid)
            assert left, "pas de processus d'analyse"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            deadline = time.monotonic() + 3
            while (left := [pid for pid in left if running(pid)]) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert left == []
    finally:
        process.kill()
        for pid in left:
            os.kill(pid, signal.SIGKILL)
