"""Extract many files: read, pre-filter, per-file cache, then parse serially or in 2 processes.

The order of work for a run:

1. every file is read and run through its front end's text pre-filter in this
   process (files without LoRA keys end here: never parsed, never cached); a
   Python file that names LoRA only in docstrings is stopped before libcst by
   :func:`~lora_lint.extract.prefilter.needs_parse` (CPython's parser, ~50x cheaper);
2. a candidate whose extraction is in the :class:`~lora_lint.extract.filecache.FileCache`
   is answered from it (no libcst import at all when every candidate hits);
3. the remaining candidates are extracted: in this process when there are few,
   in a pool of 2 worker processes when there are at least :data:`MIN_PARALLEL`
   (libcst parsing is CPU-bound pure Python, so threads would not help).

Results come back in the order of the input files whatever the path taken, and
are identical for the serial and the parallel path. The pool uses ``fork`` (no
re-import of lora-lint in the workers); where ``fork`` is not available or
threads are running, extraction stays serial. ``LORA_LINT_JOBS=N`` forces N
workers (1: serial), for benchmarks and debugging.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lora_lint.extract.filecache import FileCache, recording
from lora_lint.extract.prefilter import needs_parse
from lora_lint.extract.types import FileExtraction

#: Fewest files to extract (cache misses after the pre-filter) worth a process pool:
#: starting 2 forked workers costs ~20-40 ms, one typical file 5-40 ms.
MIN_PARALLEL = 16
#: Worker processes (libcst parsing scales with cores; 2 is the target machine).
WORKERS = 2

#: A file's result: its extraction, or an internal-error line (a front-end bug).
Outcome = FileExtraction | str


@dataclass(frozen=True)
class Job:
    """One file to extract (it passed the pre-filter and missed the cache)."""

    path: Path
    shown: str
    text: str


def run_job(job: Job, project_root: Path | None) -> tuple[Outcome, dict[str, Any]]:
    """Extract one file; also returns the other files it depended on (for the cache)."""
    from lora_lint.engine import _internal_error, extract_text
    from lora_lint.extract.python.catalog import PREFILTER_NEEDLES

    with recording() as recorder:
        try:
            outcome: Outcome
            if job.path.suffix.lower() == ".py" and not needs_parse(job.text, PREFILTER_NEEDLES):
                outcome = FileExtraction(job.shown)  # LoRA named in docstrings only
            else:
                outcome = extract_text(job.path, job.shown, job.text, project_root)
        except Exception as exc:  # a bug in a front end: report and go on
            outcome = _internal_error(job.shown, exc)
    return outcome, recorder.deps()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(n_jobs: int) -> int:
    """How many processes to extract ``n_jobs`` files with (1: in this process)."""
    forced = os.environ.get("LORA_LINT_JOBS", "").strip()
    if forced.isdigit():
        return max(1, int(forced))
    if n_jobs < MIN_PARALLEL:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    return max(1, min(WORKERS, _cpu_count(), n_jobs))


def run_jobs(
    jobs: Sequence[Job], project_root: Path | None, workers: int | None = None
) -> list[tuple[Outcome, dict[str, Any]]]:
    """:func:`run_job` over ``jobs``, in order; in a process pool when ``workers`` > 1."""
    workers = worker_count(len(jobs)) if workers is None else workers
    if workers > 1 and len(jobs) > 1:
        try:
            return _run_pool(jobs, project_root, workers)
        except Exception:  # no processes here, a broken pool, an unpicklable result...
            pass  # ...: extract serially, which gives the same results
    return [run_job(job, project_root) for job in jobs]


def _run_pool(
    jobs: Sequence[Job], project_root: Path | None, workers: int
) -> list[tuple[Outcome, dict[str, Any]]]:
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    # Longest files first, so that no worker is left with a big file at the end.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].text))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {i: pool.submit(run_job, jobs[i], project_root) for i in order}
        return [futures[i].result() for i in range(len(jobs))]


def extract_files(
    paths: Sequence[Path],
    *,
    project_root: Path | None,
    cache: FileCache,
    workers: int | None = None,
) -> list[tuple[Path, str, Outcome]]:
    """``(path, display path, outcome)`` for every file of ``paths``, in order."""
    from lora_lint.engine import _internal_error, display_path, might_contain_config, read_source

    results: list[tuple[Path, str, Outcome | None]] = []
    pending: list[tuple[int, Job, str | None]] = []
    for path in paths:
        shown = display_path(path)
        outcome: Outcome | None
        try:
            text, problem = read_source(path, shown)
            if problem is not None:
                outcome = FileExtraction(shown, findings=[problem])
            elif text is None or not might_contain_config(path, text):
                outcome = FileExtraction(shown)
            else:
                key = cache.key(text, path, shown, project_root) if cache.enabled else None
                outcome = cache.get(key) if key is not None else None
                if outcome is None:
                    pending.append((len(results), Job(path, shown, text), key))
        except Exception as exc:
            outcome = _internal_error(shown, exc)
        results.append((path, shown, outcome))

    done = run_jobs([job for _, job, _ in pending], project_root, workers)
    for (index, job, key), (outcome, deps) in zip(pending, done, strict=True):
        results[index] = (job.path, job.shown, outcome)
        if key is not None and isinstance(outcome, FileExtraction):
            cache.put(key, outcome, deps)
    return [(path, shown, outcome) for path, shown, outcome in results if outcome is not None]
