"""How ``beacon ingest`` reports progress and its summary to a person."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.sync import NOT_OK, STATUSES, FileResult, SyncReport

_err = Console(stderr=True, highlight=False)


class IngestProgress:
    """A progress bar on a terminal; one line per file changed or failed otherwise (CI logs)."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total = total
        self.quiet = quiet
        self.done = 0
        self._bar = None

    def __enter__(self) -> "IngestProgress":
        if not self.quiet and sys.stderr.isatty():
            self._bar = Progress(
                TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=_err, transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=self.total or None)
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, result: FileResult) -> None:
        if result.status != "removed":
            self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, description=result.source)
        elif not self.quiet and result.status != "unchanged":
            print(f"[{self.done}/{self.total}] {result.status:<9} {result.source} ({result.chunks} chunks)",
                  file=sys.stderr, flush=True)


def print_summary(report: SyncReport) -> None:
    console = Console(highlight=False)
    for f in report.files:
        if f.status in NOT_OK:
            console.print(f"[red]{f.status}[/red]  {f.error}", soft_wrap=True)
        elif f.status == "skipped":
            console.print(f"[yellow]skipped[/yellow] {f.source}: {f.error}", soft_wrap=True)
        for warning in f.warnings:
            console.print(f"[yellow]warning[/yellow] {warning}", soft_wrap=True)
    table = Table()
    table.add_column("status")
    table.add_column("files", justify="right")
    table.add_column("chunks", justify="right")
    for status in STATUSES:
        row = report.counts()[status]
        table.add_row(status, str(row["files"]), str(row["chunks"]))
    console.print(table)
    console.print(f"Synced {report.kb_dir} into {report.collection} in {report.seconds:.1f} s.")
    console.print(
        f"{report.chunks_in_store} chunks in the index ({report.chunks_embedded} embedded now, "
        f"{report.chunks_reused} reused); store: {report.store}"
    )
    regions = report.regions()
    if set(regions) - {"global"}:  # a help centre with regional documents: is each region meant?
        console.print("Files per region: " + ", ".join(f"{region} {count}" for region, count in regions.items()))
    sentences = report.sentence_vectors
    if sentences and sentences["ok"]:
        console.print(f"{sentences['records']} sentence vectors for the best-sentence step "
                      f"({sentences['sentences_embedded']} embedded now, {sentences['sentences_reused']} reused)")
    elif sentences:
        console.print(f"[yellow]warning[/yellow] {sentences['error']}", soft_wrap=True)
