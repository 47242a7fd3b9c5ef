"""Batch runs over many districts: in this process, a local process pool, or a Dask cluster.

Every district is one task (:func:`siting.report.batch.run_district_safely`); the results are
the same whichever way they run, and a district that fails on a worker is reported as failed
while the others finish. The parent process writes the summary files.

>>> from siting.batch import run
>>> result = run("examples/town.yaml", out="report")                        # doctest: +SKIP
>>> result = run("examples/town.yaml", out="report", scheduler="local")     # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from .errors import SitingError
from .report.batch import (BatchInputs, BatchResult, DistrictOutcome, ReportOptions,
                           district_inputs, run_district_safely, run_serially, write_reports)

# what a pool worker received once at start-up: the rules and options (small); each task
# brings its own district's slice of the inputs
_WORKER_STATE: dict[str, Any] = {}
# tasks handed out per worker at a time: enough to keep workers busy, few enough that the
# slices waiting to be sent do not add up to the whole inputs in this process
_IN_FLIGHT_PER_WORKER = 2
# times a district is sent again after its Dask worker died (a task of siting never raises)
_DASK_RETRIES = 2


def _init_worker(rules: Sequence, options: ReportOptions) -> None:
    _WORKER_STATE.update(rules=rules, options=options)


def _pool_task(name: str, folder: Path, inputs: BatchInputs) -> tuple[DistrictOutcome, str | None]:
    state = _WORKER_STATE
    return run_district_safely(name, folder, inputs, state["rules"], state["options"])


def _slices(jobs: Sequence[tuple[str, Path]], inputs: BatchInputs, rules: Sequence,
            options: ReportOptions) -> Iterator[tuple[int, str, Path, BatchInputs]]:
    """Each job with its district's slice, made only when the job is about to be sent."""
    for i, (name, folder) in enumerate(jobs):
        yield i, name, folder, district_inputs(inputs, name, rules, options)


def process_pool(workers: int | None = None):
    """An executor running districts on a local process pool of ``workers`` processes.

    Rules and options go to each worker once, at start-up; each task carries its district's
    slice of the inputs (:meth:`~siting.report.BatchInputs.slice_for`), so what a worker holds
    is bounded by the district, not by the whole study area.

    A worker process that dies (killed, out of memory, a crash in compiled code) breaks the
    pool: a new pool is started and the districts that were running are sent again, each
    alone; one that kills its worker a second time is reported as an ``error`` with the
    reason, and every other district finishes.
    """
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise SitingError("workers", workers, "need at least one worker", "give workers >= 1")

    def execute(task, jobs, inputs, rules, options):
        if not jobs:
            return
        import multiprocessing as mp
        from collections import deque

        rules = list(rules)
        # (name, folder, suspect): a suspect was running when a worker died; it runs again
        # alone, so a district that kills its worker twice is the one reported, not its peers
        queue = deque((name, folder, False) for name, folder in jobs)
        while queue:
            size = min(workers, len(queue))
            with ProcessPoolExecutor(max_workers=size, mp_context=mp.get_context("spawn"),
                                     initializer=_init_worker,
                                     initargs=(rules, options)) as pool:
                running: dict = {}
                broken = False

                def submit_next(pool=pool, running=running) -> None:
                    # reads this pool's current `broken` (set below when the pool breaks)
                    if broken or not queue or any(s for _, _, s in running.values()):  # noqa: B023
                        return
                    if queue[0][2] and running:
                        return  # a suspect waits until it is alone
                    name, folder, suspect = queue.popleft()
                    part = district_inputs(inputs, name, rules, options)
                    running[pool.submit(_pool_task, name, folder, part)] = (name, folder,
                                                                            suspect)

                for _ in range(size * _IN_FLIGHT_PER_WORKER):
                    submit_next()
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        name, folder, suspect = running.pop(future)
                        if isinstance(future.exception(), BrokenProcessPool):
                            broken = True
                            if not suspect:
                                queue.appendleft((name, folder, True))
                                continue
                            yield (DistrictOutcome(
                                name, folder, "error", 0.0,
                                "worker failed: its process died twice while running this "
                                f"district ({future.exception()}); out of memory or a crash "
                                "in compiled code"), None)
                            continue
                        yield _result_or_error(future, name, folder)
                        submit_next()

    return execute


def dask_executor(client):
    """An executor submitting one task per district to a ``dask.distributed`` client.

    Each task's slice of the inputs (:meth:`~siting.report.BatchInputs.slice_for`) is
    scattered to one worker just before the task is submitted, and released when it is done;
    nothing is broadcast. A district whose worker is killed loses its scattered slice with it
    ("already forgotten"): it is scattered and sent again, up to ``_DASK_RETRIES`` times,
    before it comes back as an ``error`` outcome.
    """
    from dask.distributed import as_completed as dask_completed

    def execute(task, jobs, inputs, rules, options):
        if not jobs:
            return
        rules = list(rules)
        threads = max(1, sum(client.nthreads().values()))
        pending = _slices(jobs, inputs, rules, options)
        running: dict = {}
        # a network kept whole (a rule searching it without a cutoff) is the same for every
        # district: scattered once, it is unpickled once per worker and keeps its search
        # arrays and street index there for the next districts, as in one process
        shared: dict[str, Any] = {}
        completed = dask_completed()

        def submit(i: int, name: str, folder: Path, part: BatchInputs, attempt: int) -> None:
            lean, whole = without_whole_networks(part, inputs)
            for mode in whole:
                if mode not in shared or shared[mode].status != "finished":  # or lost
                    shared[mode] = client.scatter(inputs.networks[mode], hash=False)
            data = client.scatter(lean, hash=False)
            future = client.submit(with_whole_networks, task, name, folder, data,
                                   {mode: shared[mode] for mode in whole},
                                   list(part.networks), rules, options, pure=False,
                                   key=f"siting-district-{i}-{attempt}")
            running[future] = (i, name, folder, part, data, attempt)
            completed.add(future)

        def submit_next() -> None:
            for i, name, folder, part in pending:
                submit(i, name, folder, part, 0)
                return

        for _ in range(min(len(jobs), threads * _IN_FLIGHT_PER_WORKER)):
            submit_next()
        for future in completed:
            i, name, folder, part, data, attempt = running.pop(future)
            # the task itself never raises (run_district_safely): an error here is the
            # cluster's (a killed worker took the task or its scattered slice): run it again
            if future.status != "finished" and attempt < _DASK_RETRIES:
                del data
                submit(i, name, folder, part, attempt + 1)
                continue
            submit_next()
            outcome = _result_or_error(future, name, folder)
            del data, part  # the slice is released on the cluster with its last reference
            yield outcome

    return execute


def without_whole_networks(part: BatchInputs, inputs: BatchInputs
                            ) -> tuple[BatchInputs, list[str]]:
    """``part`` without the networks it shares whole with ``inputs``, and their modes."""
    whole = [mode for mode, net in part.networks.items()
             if net is inputs.networks.get(mode)]
    if not whole:
        return part, []
    kept = {mode: net for mode, net in part.networks.items() if mode not in whole}
    return dataclasses.replace(part, networks=kept), whole


def with_whole_networks(task, name: str, folder: Path, part: BatchInputs,
                         whole: dict[str, Any], order: list[str], rules, options):
    """Run ``task`` on ``part`` with its whole networks put back, in their order."""
    networks = {mode: whole[mode] if mode in whole else part.networks[mode] for mode in order}
    return task(name, folder, dataclasses.replace(part, networks=networks), rules, options)


def _result_or_error(future, name: str, folder: Path) -> tuple[DistrictOutcome, str | None]:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001  the worker itself died: report, go on
        return (DistrictOutcome(name, folder, "error", 0.0,
                                f"worker failed: {type(exc).__name__}: {exc}"), None)


def executor_for(client: object = None, *, scheduler: str | None = None,
                 workers: int | None = None):
    """Pick the executor: a Dask ``client``; a ``scheduler`` address (``"local"`` starts a
    LocalCluster); ``workers=1`` for this process; else a local process pool (default).

    Returns ``(executor, closer)``; call ``closer()`` when done (it stops what was started).
    """
    if client is not None:
        return dask_executor(client), lambda: None
    if scheduler is not None:
        from dask.distributed import Client, LocalCluster

        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            started = Client(cluster)

            def close() -> None:
                started.close()
                cluster.close()

            return dask_executor(started), close
        try:
            started = Client(scheduler, timeout="10s")
        except (OSError, ValueError, TimeoutError) as exc:
            raise SitingError("scheduler", scheduler, f"cannot connect to the Dask scheduler "
                              f"({type(exc).__name__}: {exc})",
                              "give an address such as tcp://host:8786 of a running scheduler, "
                              "or 'local' to start one here") from None
        return dask_executor(started), started.close
    if workers == 1:
        return run_serially, lambda: None
    return process_pool(workers), lambda: None


def run(config: object, client: object = None, *, out: str | Path | None = None,
        scheduler: str | None = None, workers: int | None = None, force: bool = False,
        progress: bool = True, districts: Iterable[str] | None = None) -> BatchResult:
    """Run a configuration's batch report over every district.

    Parameters
    ----------
    config
        A CONFIG path, mapping or :class:`siting.config.Config`.
    client
        A ``dask.distributed.Client``: districts become tasks on its cluster.
    out
        Output folder (default: the configuration's ``outputs.dir``).
    scheduler
        Without ``client``: a scheduler address, or ``"local"`` for a LocalCluster of
        ``workers`` processes (default 2).
    workers
        Without ``client`` or ``scheduler``: local processes (default: all cores;
        ``1`` runs in this process).
    force, progress, districts
        As in :func:`siting.report.write_reports`.
    """
    from .config import Config, load_config

    cfg = config if isinstance(config, Config) else load_config(config)
    target = Path(out) if out is not None else cfg.out_dir
    if target is None:
        raise SitingError("out", None, "no output folder",
                          "pass out= or set outputs: {dir: ...} in the configuration")
    from .report.batch import check_out_dir

    check_out_dir(target)  # before any input is read
    inputs = cfg.batch_inputs()
    executor, close = executor_for(client, scheduler=scheduler, workers=workers)
    try:
        return write_reports(inputs, cfg.rules, target, options=cfg.report_options(),
                             force=force, progress=progress, districts=districts,
                             executor=executor)
    finally:
        close()
