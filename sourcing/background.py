"""Sending a task once the current transaction commits: to the broker in production, in-process on the
embedded default.

Without a broker Celery runs a task eagerly, inside the request that sent it. A task declared long-running
(``@tenant_task(name=…, long_running=True)``: the spend import, export jobs) goes instead to a small pool of
threads in the web process, so the page answers at once and polls the task's progress like it does under
Celery. The pool is started on first use; each of its threads closes its database connections when a task
ends. ``BACKGROUND_THREADS = 0`` (the tests' default) runs long tasks inline too.
"""

from __future__ import annotations

import importlib
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction

logger = logging.getLogger(__name__)

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_pending: set[Future[None]] = set()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=settings.BACKGROUND_THREADS, thread_name_prefix="sourcewise-task")
        return _pool


def _run_in_thread(name: str, args: tuple[str, ...]) -> None:
    close_old_connections()
    task = current_app.tasks[name]
    if connection.vendor == "sqlite" and getattr(task, "write_lock_first", True):
        # The task writes in one long transaction: taking the write lock when it begins (rather than on its
        # first write) means a page's commit in between cannot void its snapshot; pages keep reading (WAL).
        # A task that waits on the network inside its transaction (a webhook attempt) says
        # ``write_lock_first=False``, so pages are not held up while it waits.
        connection.ensure_connection()
        connection.transaction_mode = "IMMEDIATE"  # type: ignore[attr-defined]
    try:
        task.apply(args=args, throw=True)
    except Exception:
        # the task's own service records its failure where the page shows it; this is for the operator
        logger.exception("background task %s failed", name)
    finally:
        connections.close_all()


def _forget(future: Future[None]) -> None:
    with _pool_lock:
        _pending.discard(future)


def send_task(name: str, *args: str, countdown: float | None = None) -> Future[None] | None:
    """Send the task registered as ``name`` now: to the pool when it is long-running and runs in-process,
    otherwise through Celery (eagerly without a broker). Returns the pool's future, for tests.

    With ``countdown``, the broker holds it that many seconds. In-process there is nothing to hold it, so a
    delayed task is not sent: the sender keeps its due time and a sweep picks it up (webhook retries)."""
    module, _, _function = name.rpartition(".")
    importlib.import_module(module)  # registers the task in a process that has not loaded it yet
    task = current_app.tasks[name]
    in_process = current_app.conf.task_always_eager
    if countdown:
        if not in_process:
            task.apply_async(args=args, countdown=countdown)
        return None
    if in_process and getattr(task, "long_running", False) and settings.BACKGROUND_THREADS > 0:
        future = _executor().submit(_run_in_thread, name, args)
        with _pool_lock:
            _pending.add(future)
        future.add_done_callback(_forget)
        return future
    task.delay(*args)
    return None


def enqueue_on_commit(name: str, *args: str, countdown: float | None = None) -> None:
    """Send the task registered as ``name`` once the current transaction commits.

    Tasks are entry points, like pages: a task module imports services, and a service never imports a task.
    A service that starts background work names the task here (its name is its module path and function,
    ``sourcing.spend.tasks.run_spend_import``); on commit the module is loaded and the task sent: to the
    broker, or in-process on the embedded default (a long-running task on the background pool). Arguments
    are ids and labels, never model instances.
    """
    transaction.on_commit(lambda: send_task(name, *args, countdown=countdown))


def background_wait(timeout: float = 60) -> None:
    """Wait until every task sent to the pool so far has ended (tests, and a clean shutdown)."""
    with _pool_lock:
        pending = list(_pending)
    for future in pending:
        future.result(timeout=timeout)
