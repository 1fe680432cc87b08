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
are identical for the serial and the parallel path. The workers are forked (no
re-import of lora-lint) with a fixed share of the files each, and write their
results to files, so they never wait for this process, which meanwhile may import
torch for the models the first results need (see ``Linter._warm_up_models``); the
files of a worker that dies are extracted here. On other platforms than Linux, or
with threads running, extraction stays serial. ``LORA_LINT_JOBS=N`` forces N
workers (1: serial), for benchmarks and debugging.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lora_lint.extract import frontends
from lora_lint.extract.filecache import FileCache, decode, encode, recording
from lora_lint.extract.reading import internal_error, read_source
from lora_lint.extract.types import Comment, FileExtraction
from lora_lint.paths import display_path

#: Fewest files to extract (cache misses after the pre-filter) worth a process pool:
#: starting 2 forked workers costs ~20-40 ms, one typical file 5-40 ms.
MIN_PARALLEL = 16
#: Worker processes (libcst parsing scales with cores; 2 is the target machine).
WORKERS = 2

#: A file's result: its extraction, or an internal-error line (a front-end bug).
Outcome = FileExtraction | str
#: Called in this process with each extraction as it becomes available (see extract_files).
OnOutcome = Callable[[FileExtraction], None]


@dataclass(frozen=True)
class Job:
    """One file to extract (it passed the pre-filter and missed the cache)."""

    path: Path
    shown: str
    text: str


def run_job(job: Job, project_root: Path | None) -> tuple[Outcome, dict[str, Any]]:
    """Extract one file; also returns the other files it depended on (for the cache)."""
    with recording() as recorder:
        try:
            outcome: Outcome = frontends.extract_text(job.path, job.shown, job.text, project_root)
        except Exception as exc:  # a bug in a front end: report and go on
            outcome = internal_error(job.shown, exc)
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
    # fork only where it is the platform's own default (macOS defaults to spawn because
    # fork is unsafe with its system frameworks), and never with threads running.
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    return max(1, min(WORKERS, _cpu_count(), n_jobs))


def _notify(on_outcome: OnOutcome | None, outcomes: Iterable[Outcome]) -> None:
    if on_outcome is None:
        return
    for outcome in outcomes:
        if isinstance(outcome, FileExtraction):
            # a hint for the caller, never a reason to fail extraction
            with contextlib.suppress(Exception):
                on_outcome(outcome)


def run_jobs(
    jobs: Sequence[Job],
    project_root: Path | None,
    workers: int | None = None,
    *,
    on_outcome: OnOutcome | None = None,
    known: Sequence[FileExtraction] = (),
) -> list[tuple[Outcome, dict[str, Any]]]:
    """:func:`run_job` over ``jobs``, in order; in a process pool when ``workers`` > 1.

    ``on_outcome`` sees ``known`` and then every new extraction as it completes; with a
    pool it runs here while the workers go on parsing (so that it may do slow work).
    """
    workers = worker_count(len(jobs)) if workers is None else workers
    if workers > 1 and len(jobs) > 1:
        try:
            return _run_pool(jobs, project_root, workers, on_outcome, known)
        except Exception:  # no processes here, a broken pool, an unpicklable result...
            on_outcome = None  # ...: extract serially (same results), notified already
    _notify(on_outcome, known)
    done = []
    for job in jobs:
        done.append(run_job(job, project_root))
        _notify(on_outcome, [done[-1][0]])
    return done


def _shares(jobs: Sequence[Job], workers: int) -> list[list[int]]:
    """Job indices per worker, balanced by text size (longest first onto the lightest)."""
    shares: list[list[int]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for i in sorted(range(len(jobs)), key=lambda i: -len(jobs[i].text)):
        lightest = loads.index(min(loads))
        shares[lightest].append(i)
        loads[lightest] += len(jobs[i].text) + 2000  # + a fixed cost per file
    return shares


def _worker(share: list[int], jobs: Sequence[Job], project_root: Path | None, out: str) -> None:
    """A forked worker: extract its share, each result into ``out/<index>.res``.

    Files, not pipes: a worker never waits for the parent (which may be importing torch
    for seconds), and a worker that dies leaves at most a ``.tmp`` behind, no lock held.
    """
    for i in share:
        try:
            data = json.dumps(encode(run_job(jobs[i], project_root)))
        except Exception:  # not encodable: the parent extracts this file itself
            continue
        tmp = os.path.join(out, f"{i}.tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, os.path.join(out, f"{i}.res"))


#: Result directories are ``<tmp>/lora-lint-extract-<pid>-<random>``: a run that was killed
#: (SIGKILL skips every cleanup) leaves one behind, which the next pooled run removes.
TEMP_PREFIX = "lora-lint-extract-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists (another user's)
        return True
    return True


def clean_stale_dirs(tmp: str) -> list[str]:
    """Remove this user's result directories whose run (the pid in the name) is gone."""
    import shutil

    removed: list[str] = []
    try:
        entries = list(os.scandir(tmp))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(TEMP_PREFIX):
            continue
        pid_text = entry.name[len(TEMP_PREFIX) :].split("-", 1)[0]
        try:
            info = entry.stat(follow_symlinks=False)
            mine = info.st_uid == os.getuid() and entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if mine and pid_text.isdigit() and not _pid_alive(int(pid_text)):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
    return removed


def _run_pool(
    jobs: Sequence[Job],
    project_root: Path | None,
    workers: int,
    on_outcome: OnOutcome | None,
    known: Sequence[FileExtraction],
) -> list[tuple[Outcome, dict[str, Any]]]:
    """Extract ``jobs`` in ``workers`` forked processes, each with a fixed share.

    ``on_outcome`` sees results as they arrive and may keep this process busy meanwhile.
    The files of a worker that dies are extracted here afterwards. Results travel as JSON
    through the extraction cache's codec (never pickle) in a private temporary directory.
    """
    import tempfile
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    done: dict[int, tuple[Outcome, dict[str, Any]]] = {}
    with contextlib.suppress(Exception):
        clean_stale_dirs(tempfile.gettempdir())
    prefix = f"{TEMP_PREFIX}{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=prefix, ignore_cleanup_errors=True) as out:
        processes = [
            context.Process(target=_worker, args=(share, jobs, project_root, out), daemon=True)
            for share in _shares(jobs, workers)
            if share
        ]
        for process in processes:
            process.start()
        _notify(on_outcome, known)

        def collect() -> None:
            try:
                entries = list(os.scandir(out))
            except OSError:  # removed under us: the files are extracted here afterwards
                return
            for entry in entries:
                if entry.name.endswith(".res") and int(entry.name[:-4]) not in done:
                    try:
                        with open(entry.path, encoding="utf-8") as fh:
                            outcome, deps = decode(json.load(fh))
                    except (OSError, ValueError, KeyError, TypeError):
                        continue  # unreadable result: extracted here afterwards
                    result = (outcome, deps)
                    done[int(entry.name[:-4])] = result
                    _notify(on_outcome, [result[0]])

        try:
            while any(process.is_alive() for process in processes):
                wait([process.sentinel for process in processes], timeout=0.05)
                collect()
            collect()
        finally:
            for process in processes:
                if process.is_alive():
                    process.kill()
                process.join()
    for index in range(len(jobs)):
        if index not in done:  # its worker died, or the result could not be encoded
            done[index] = run_job(jobs[index], project_root)
    return [done[i] for i in range(len(jobs))]


def extract_files(
    paths: Sequence[Path],
    *,
    project_root: Path | None,
    cache: FileCache,
    workers: int | None = None,
    on_outcome: OnOutcome | None = None,
    reads: dict[Path, list[str]] | None = None,
    texts: dict[Path, str] | None = None,
) -> list[tuple[Path, str, Outcome]]:
    """``(path, display path, outcome)`` for every file of ``paths``, in order.

    ``on_outcome`` is called (in this process) with every extraction that holds a config,
    as soon as it is known: cache hits once the workers are started, the others as they
    complete. The linter uses it to start importing torch while the workers parse, when
    a config needs a model that is not in the inventory cache.

    ``reads`` receives, for every file that was extracted or answered from the cache, the
    other files (absolute paths) its extraction read: the sibling modules it imports from.

    ``texts`` receives the text of every file that passed the pre-filter (what the spans
    of its configs index), so that nothing after extraction reads the file again.
    """
    results: list[tuple[Path, str, Outcome | None]] = []
    #: The comments of each file, scanned while its text is at hand (the suppression pass
    #: reads them from the extraction and never reads the file again).
    found: dict[int, list[Comment]] = {}
    pending: list[tuple[int, Job, str | None]] = []
    hits: list[FileExtraction] = []
    for path in paths:
        shown = display_path(path)
        outcome: Outcome | None
        try:
            text, problem = read_source(path, shown)
            if text is not None:
                found[len(results)] = frontends.comments_of(path, text)
            if problem is not None:
                outcome = FileExtraction(shown, findings=[problem])
            elif text is None or not frontends.might_contain_config(path, text):
                outcome = FileExtraction(shown)
            else:
                if texts is not None:
                    texts[path] = text
                key = cache.key(text, path, shown, project_root) if cache.enabled else None
                outcome = cache.get(key) if key is not None else None
                if outcome is None:
                    pending.append((len(results), Job(path, shown, text), key))
                else:
                    if reads is not None and key is not None:
                        reads[path] = cache.reads.get(key, [])
                    if outcome.configs:
                        hits.append(outcome)
        except Exception as exc:
            outcome = internal_error(shown, exc)
        results.append((path, shown, outcome))

    jobs = [job for _, job, _ in pending]
    done = run_jobs(jobs, project_root, workers, on_outcome=on_outcome, known=hits)
    for (index, job, key), (outcome, deps) in zip(pending, done, strict=True):
        results[index] = (job.path, job.shown, outcome)
        if reads is not None and isinstance(outcome, FileExtraction):
            reads[job.path] = sorted(deps.get("read", {}))
        if key is not None and isinstance(outcome, FileExtraction):
            cache.put(key, outcome, deps)
    for index, comments in found.items():
        outcome = results[index][2]
        if isinstance(outcome, FileExtraction):
            outcome.comments = comments
    return [(path, shown, outcome) for path, shown, outcome in results if outcome is not None]
