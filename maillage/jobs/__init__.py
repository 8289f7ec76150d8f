"""Background work: tasks (django-tasks), their database queue (django-tasks-db) and `maillage worker`.

- `queue.py`: enqueue a task once the transaction commits, later (`delay_seconds`), or once (debounced);
- `worker.py`: the worker loop, with a heartbeat and the recovery of jobs left running by a dead worker;
- `mail.py`: the `send_email` task, in the `emails` queue (a worker of its own: `maillage worker --queue emails`),
  retried with backoff on SMTP and connection errors;
- `status.py`: the queue's lag and the workers' heartbeats, for `/sante/pret`.
"""
