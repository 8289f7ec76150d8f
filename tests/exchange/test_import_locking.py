"""Other people log in, autosave a draft and ask for alerts while an import reads its file, and none of them waits
for it or gets an error: the import holds no lock while it parses (a dry run none at all).

Run on an SQLite database file, where one connection writes at a time and the others wait for its lock (3 s here
instead of the settings’ 20, so that a failure shows quickly): `maillage.demo.bench_locking` imports a named pipe
in a thread while its main thread makes the requests; the test feeds the pipe one sheet, lets two rounds of
requests go, then gives the rest. Before the fix each request waited for the lock and failed with a 500.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import process_environment
from .processes import Lines, open_for_writing

EXAMPLES = Path(__file__).parent / "data" / "actions_exemples.txt"
LOCK_WAIT = 3.0


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry_run", "import"])
def test_others_use_the_site_while_an_import_reads_its_file(sqlite_file, tmp_path, dry_run):
    text = EXAMPLES.read_bytes()
    cut = text.index(b"\nActions\n", 1) + 1  # the first sheet, then the others
    fifo = tmp_path / "fiches.txt"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "maillage.demo.bench_locking", str(fifo), "--lock-wait", str(LOCK_WAIT)]
    command += ["--dry-run"] if dry_run else []
    with subprocess.Popen(command, env=process_environment(sqlite_file), cwd=settings.BASE_DIR,
                          stdout=subprocess.PIPE, text=True) as process:  # fmt: skip
        try:
            output = Lines(process.stdout)
            with open_for_writing(fifo, process) as feed:
                feed.write(text[:cut])
                feed.flush()
                rounds = [json.loads(output.next()) for _ in range(2)]  # while the import waits for the rest
                feed.write(text[cut:])
            summary = json.loads(output.rest()[-1])
            assert process.wait(timeout=60) == 0
        finally:
            process.kill()
    answers = [answer for one in rounds for answer in one["answers"]]
    assert [(what, status) for what, status, _ in answers] == [("login", 302), ("autosave", 200), ("alert", 200)] * 2
    assert max(seconds for *_, seconds in answers) < LOCK_WAIT
    assert not {"500", "503"} & set(summary["statuses"])
    assert "5 fiches lues, 5 créées" in summary["import"]["summary"], summary
