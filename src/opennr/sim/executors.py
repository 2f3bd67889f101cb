"""Where the batches of a sweep run: this process, a pool of local processes, or a Dask cluster.

Each executor has ``workers`` and ``submit(fn, *args)`` returning a future with ``result()`` and
``cancel()``; :func:`opennr.sim.engine.run_points` keeps a window of batches in flight and counts
them in order, so the results do not depend on the executor. Use them as context managers: on
exit the pool is shut down (batches still queued are cancelled) or the cluster connection closed.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from opennr.sim.engine import InlineExecutor

__all__ = ["DaskExecutor", "ExecutorError", "InlineExecutor", "ProcessExecutor", "make_executor"]


class ExecutorError(RuntimeError):
    """An executor could not be started: a scheduler out of reach, Dask not installed, ..."""


def _warm_up() -> None:
    # Import the simulation stack once per worker, so that the first batch is not slower.
    import opennr.sim.links  # noqa: F401


def _single_threaded(fn, *args):
    """Run one batch with one numba thread: the executor's workers are the parallelism, and
    nested numba threads would oversubscribe the cores. (The thread count is per calling
    thread, so it is set in the task itself, whatever thread of a worker runs it.)"""
    import numba

    numba.set_num_threads(1)
    return fn(*args)


class ProcessExecutor:
    """``workers`` local processes started with the *spawn* method (no state inherited from the
    parent, the same on every platform).

    Parameters
    ----------
    workers : int
        Number of processes (>= 1).
    """

    def __init__(self, workers: int):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ExecutorError(f"workers={workers!r}: must be an integer >= 1")
        self.workers = workers
        self._pool = ProcessPoolExecutor(max_workers=workers,
                                         mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_warm_up)

    def submit(self, fn, *args):
        return self._pool.submit(_single_threaded, fn, *args)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskExecutor:
    """Batches on a Dask cluster: ``"local:N"`` starts a ``LocalCluster`` of N single-threaded
    worker processes; ``"tcp://host:8786"`` (or any scheduler address) attaches to a running
    scheduler, e.g. one started by dask-jobqueue on Slurm.

    Parameters
    ----------
    address : str
        ``"local:N"`` or a scheduler address.
    timeout : float
        Seconds to wait for the scheduler.

    Raises
    ------
    ExecutorError
        Dask is not installed (the ``dask`` extra), the address is malformed, or the scheduler
        does not answer within ``timeout``.
    """

    def __init__(self, address: str, *, timeout: float = 10.0):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError("Dask is not installed: pip install 'opennr[dask]'") from None
        self._cluster = None
        self.address = address
        if address.startswith("local:"):
            try:
                n = int(address.split(":", 1)[1])
                if n < 1:
                    raise ValueError
            except ValueError:
                raise ExecutorError(f"--dask {address!r}: expected local:N with N >= 1 "
                                    "workers") from None
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=40)
            self._client = Client(self._cluster)
        else:
            if "://" not in address:
                raise ExecutorError(f"--dask {address!r}: expected local:N or a scheduler "
                                    "address such as tcp://host:8786")
            try:
                self._client = Client(address, timeout=timeout)
            except (OSError, TimeoutError) as exc:
                raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        info = self._client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info.get("workers", {}).values()))

    def submit(self, fn, *args):
        return self._client.submit(_single_threaded, fn, *args, pure=False)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def make_executor(workers: int | None = None, dask: str | None = None, *,
                  dask_timeout: float = 10.0):
    """The executor for ``--workers N`` or ``--dask ADDRESS`` (``None``, ``None``: this process)."""
    if dask is not None:
        return DaskExecutor(dask, timeout=dask_timeout)
    if workers is None or workers == 1:
        return _Closing(InlineExecutor())
    if workers == 0:
        workers = os.cpu_count() or 1
    return ProcessExecutor(workers)


class _Closing:
    def __init__(self, executor):
        self._executor = executor
        self.workers = executor.workers

    def submit(self, fn, *args):
        return self._executor.submit(fn, *args)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        pass
