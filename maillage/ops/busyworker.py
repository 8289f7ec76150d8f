"""Which gunicorn worker to kill in the drill (deploy/drills/kill-web-worker.sh): one that holds requests.

`python -m maillage.ops.busyworker MASTER_PID` prints `PID CONNECTIONS`: the worker of the master that holds the
most open client connections on the master's listening port (read from /proc: each worker's socket descriptors
against /proc/net/tcp and tcp6). Each load-test visitor keeps its connection open (keep-alive) and sends its next
request on it as soon as it has the answer, so a worker's connections are its requests in flight or about to be:
killing the busiest shows what a crash costs. Waits up to `--wait` seconds for a worker with at least
`--min-connections`. Linux only, standard library only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

LISTEN, ESTABLISHED = "0A", "01"


def children(master: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(proc.name))
    return sorted(found)


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def tcp_sockets() -> list[tuple[int, int, str, str]]:
    """(local port, remote port, state, inode) of every TCP socket of the machine."""
    sockets = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            sockets.append((int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16), state, inode))
    return sockets


def connections_by_worker(master: int) -> dict[int, int]:
    """Open client connections on the master's listening port(s), per worker."""
    sockets = tcp_sockets()
    master_inodes = socket_inodes(master)
    ports = {port for port, _, state, inode in sockets if state == LISTEN and inode in master_inodes}
    established = {inode for port, _, state, inode in sockets if state == ESTABLISHED and port in ports}
    return {pid: len(socket_inodes(pid) & established) for pid in children(master)}


def busiest(master: int, *, wait: float, min_connections: int) -> tuple[int, int] | None:
    deadline = time.monotonic() + wait
    while True:
        counts = connections_by_worker(master)
        if counts:
            pid, count = max(counts.items(), key=lambda item: item[1])
            if count >= min_connections or time.monotonic() >= deadline:
                return pid, count
        elif time.monotonic() >= deadline:
            return None
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Le processus de gunicorn qui tient le plus de connexions.")
    parser.add_argument("master", type=int, help="pid du processus maître de gunicorn")
    parser.add_argument("--wait", type=float, default=10.0, help="secondes d'attente au plus (défaut : 10)")
    parser.add_argument("--min-connections", type=int, default=1, help="connexions voulues au moins (défaut : 1)")
    args = parser.parse_args(argv)
    found = busiest(args.master, wait=args.wait, min_connections=args.min_connections)
    if found is None:
        print(f"Aucun processus fils de {args.master}.", file=sys.stderr)
        return 1
    print(*found)
    return 0


if __name__ == "__main__":
    sys.exit(main())
