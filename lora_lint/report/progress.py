"""A progress bar on stderr while cold models are instantiated on the meta device.

A cold build imports torch/transformers and instantiates the model skeleton
(seconds per model), so a first run over many configs can sit silent for a
while; a bar says what is happening. It is shown only when it helps and never
pollutes machine output:

* only when the stream is a terminal (pipes, CI logs, files, pre-commit's
  captured output get nothing);
* only when at least two models are cold (one build is quick enough to need no
  bar; a warm run never calls the callback at all);
* on stderr, never mixed into stdout where JSON/SARIF goes, and transient: it
  disappears when the builds are done.

rich is imported on the first call with two or more cold models, never on a
warm run.

Before that, a cold run says so at once: :meth:`ModelBuildProgress.cold_start`
is called before torch is imported (seconds, longer on a loaded machine) and
writes one transient status line, erased when the bar starts or the run ends.
"""

from __future__ import annotations

from typing import Any, Protocol, TextIO


class ProgressCallback(Protocol):
    """What :class:`lora_lint.engine.Linter` calls: ``(n, total, model_id)`` before build n."""

    def __call__(self, n: int, total: int, model_id: str) -> None: ...

    def cold_start(self) -> None: ...

    def close(self) -> None: ...


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # closed or detached stream
        return False


STATUS = "lora-lint: building model inventories (first run)..."


class ModelBuildProgress:
    """A rich progress bar over cold model builds, started lazily on the first multi-model call."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._progress: Any = None
        self._task: Any = None
        self._total = 0
        self._status = False

    def cold_start(self) -> None:
        """A model must be built: say so before the slow torch import (once per run)."""
        if self._status or self._progress is not None:
            return
        self.stream.write(STATUS)
        self.stream.flush()
        self._status = True

    def _clear_status(self) -> None:
        if self._status:
            self.stream.write("\r\x1b[K")  # carriage return, erase to the end of the line
            self.stream.flush()
            self._status = False

    def __call__(self, n: int, total: int, model_id: str) -> None:
        if total < 2:
            return
        if self._progress is None:
            self._start(total)
        self._total = total
        self._progress.update(
            self._task,
            completed=n - 1,
            total=total,
            description=model_id,
        )

    def _start(self, total: int) -> None:
        self._clear_status()
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=self.stream, stderr=True)
        self._progress = Progress(
            TextColumn("Building models on the meta device"),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=console,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total)

    def close(self) -> None:
        """Finish and remove the bar and the status line (a no-op when neither was shown)."""
        self._clear_status()
        if self._progress is not None:
            self._progress.update(self._task, completed=self._total)
            self._progress.stop()
            self._progress = None


def progress_callback(stream: TextIO) -> ModelBuildProgress | None:
    """The callback for ``Linter(progress=...)``: None unless ``stream`` is a terminal.

    Call ``close()`` on the result when the run is over (the last build gets no
    "done" call of its own).
    """
    if not _is_terminal(stream):
        return None
    return ModelBuildProgress(stream)
