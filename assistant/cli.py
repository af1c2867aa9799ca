"""The `chipqa` command line. Thin: every command calls the pipeline and prints.

Heavy modules (torch, chromadb, gradio) are imported inside commands so that
`chipqa --help` stays fast.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.answer.table import answerer_names

if TYPE_CHECKING:
    from assistant.ingest import IngestProgress, IngestReport
    from assistant.keep.verify import Check
    from assistant.keep.watch import Run
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

app = typer.Typer(
    help="ChipQA: cited answers about the US–China AI-chip race.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
AnswererOption = Annotated[str | None, typer.Option(help=f"{answerer_names()}.")]


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version

        print(f"chipqa {version('chipqa')}")
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """ChipQA: cited answers about the US–China AI-chip race."""


def _assistant(settings: Settings) -> Assistant:
    from assistant.pipeline import build_assistant

    return build_assistant(settings)


@app.command("ingest")
def ingest_command(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: corpus/).")
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            help="Remove the documents whose files are gone even when they are many "
            "(over a fifth of their corpus) or all of it."
        ),
    ] = False,
    repair: Annotated[
        bool,
        typer.Option(
            help="Also embed again the documents whose stored text no longer matches its "
            "check (a damaged index)."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Index documents: new and edited files are embedded, deleted ones removed."""
    from assistant.keep.watch import run_watched, watches
    from assistant.settings import load_settings

    assistant = _assistant(load_settings())
    report = _run_ingest(assistant, paths or [], quiet=as_json, prune=prune, repair=repair)
    runs = run_watched(assistant) if report.changed and watches(assistant.settings) else []
    if as_json:
        print(json.dumps({**report.to_dict(), "watched": [r.to_dict() for r in runs]}, indent=2))
    else:
        _print_ingest(report)
        _print_runs(runs)


def _run_ingest(
    assistant: Assistant, paths: list[Path], quiet: bool, prune: bool, repair: bool
) -> IngestReport:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    if quiet or not sys.stderr.isatty():
        return assistant.ingest(paths, prune=prune, repair=repair)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[file]}"),
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None, file="", rate="")

        def hook(progress: IngestProgress) -> None:
            if progress.total is None:
                bar.update(task, file=progress.file)
                return
            bar.update(
                task,
                description="embedding",
                total=progress.total,
                completed=progress.embedded,
                file="",
            )
            speed = bar.tasks[0].speed
            bar.update(task, rate=f"{speed:.0f} texts/s" if speed else "")

        return assistant.ingest(paths, progress=hook, prune=prune, repair=repair)


def _print_ingest(report: IngestReport) -> None:
    for line in report.skipped:
        print(f"skipped {line}", file=sys.stderr)
    for source, count in report.hidden.items():
        print(f"{source}: {count} characters a reader cannot see were left out")
    print(
        f"added {len(report.added)}, updated {len(report.updated)}, "
        f"removed {len(report.removed)}, unchanged {len(report.unchanged)} documents; "
        f"{report.chunks} chunks written ({report.total_chunks} in the index) "
        f"in {report.seconds:.1f}s"
    )


watch_app = typer.Typer(
    help="Watched questions: asked again after every ingest that changes the index.",
    no_args_is_help=True,
)
app.add_typer(watch_app, name="watch")


@watch_app.command("add")
def watch_add_command(question: Annotated[str, typer.Argument(help="The question.")]) -> None:
    """Watch a question."""
    from assistant.keep.watch import add_watch
    from assistant.settings import load_settings

    watch = add_watch(load_settings(), question)
    print(f"watching [{watch.id}] {watch.question}")


@watch_app.command("list")
def watch_list_command(as_json: JsonFlag = False) -> None:
    """List the watched questions and how their latest run went."""
    from assistant.keep.watch import last_run, watches
    from assistant.settings import load_settings

    settings = load_settings()
    runs = [(w, last_run(settings, w)) for w in watches(settings)]
    if as_json:
        listed = [
            {"id": w.id, "question": w.question, "added_at": w.added_at}
            | ({"latest": run.to_dict()} if run else {})
            for w, run in runs
        ]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    for watch, run in runs:
        said = "not run yet" if run is None else f"last run {run.latest.asked_at}"
        print(f"[{watch.id}] {watch.question} ({said})")


@watch_app.command("remove")
def watch_remove_command(
    watch_id: Annotated[str, typer.Argument(metavar="ID", help="Its id (`watch list`).")],
) -> None:
    """Stop watching a question (its runs stay in the data folder)."""
    from assistant.keep.watch import remove_watch
    from assistant.settings import load_settings

    watch = remove_watch(load_settings(), watch_id)
    print(f"no longer watching [{watch.id}] {watch.question}")


@watch_app.command("run")
def watch_run_command(as_json: JsonFlag = False) -> None:
    """Ask the watched questions now and show what changed since their last run."""
    from assistant.keep.watch import run_watched
    from assistant.settings import load_settings

    runs = run_watched(_assistant(load_settings()))
    if as_json:
        print(json.dumps([r.to_dict() for r in runs], ensure_ascii=False, indent=2))
    else:
        _print_runs(runs)


def _print_runs(runs: list[Run]) -> None:
    for run in runs:
        change = run.change
        said = "first run" if change.first else "changed" if change.changed else "unchanged"
        print(f"[{run.watch.id}] {run.watch.question}: {said}")
        for line in change.lines():
            print(f"    {line}")


@app.command("ask")
def ask_command(
    question: Annotated[str, typer.Argument(help="Your question.")],
    k: Annotated[int | None, typer.Option("--k", help="Passages to use.")] = None,
    answerer: AnswererOption = None,
    source: Annotated[str | None, typer.Option(help="Only this source document.")] = None,
    save: Annotated[
        Path | None,
        typer.Option(help="Keep the answer as an evidence file (JSON, Markdown twin beside it)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Answer a question, citing a source passage after every sentence."""
    from assistant.settings import load_settings

    settings = load_settings(k=k, answerer=answerer)
    assistant = _assistant(settings)
    if as_json:
        answer = assistant.ask(question, source=source)
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        from assistant.terminal import answer as answer_live
        from assistant.terminal import format_answer

        answer = answer_live(assistant, question, source=source)
        print(format_answer(answer))
    if save is not None:
        from assistant.keep.evidence import keep
        from assistant.keep.evidence import save as save_evidence

        twin = save_evidence(keep(assistant, answer), save)
        print(f"evidence saved to {save} and {twin}", file=sys.stderr)


@app.command("verify")
def verify_command(
    files: Annotated[list[Path], typer.Argument(help="Evidence files (`ask --save`).")],
    as_json: JsonFlag = False,
) -> None:
    """Check kept answers: is each quote still in its document (holds, moved, changed, gone)?"""
    from assistant.keep.evidence import load
    from assistant.keep.verify import verify
    from assistant.settings import load_settings

    store = _assistant(load_settings()).store
    kept = [(path, load(path)) for path in files]  # every file is read before any is checked
    results = {str(path): verify(evidence, store, path) for path, evidence in kept}
    if as_json:
        report = {path: [c.to_dict() for c in checks] for path, checks in results.items()}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for path, checks in results.items():
            print(f"{path}: {_verdict(checks)}")
            for check in checks:
                print(f"  {check.line()}")
    if not all(check.stands for checks in results.values() for check in checks):
        raise typer.Exit(1)


def _verdict(checks: list[Check]) -> str:
    standing = sum(check.stands for check in checks)
    if not checks:
        return "no citations to check"
    return f"{standing} of {len(checks)} quotes still stand"


@app.command("chat")
def chat_command(
    k: Annotated[int | None, typer.Option("--k", help="Passages to use.")] = None,
    answerer: AnswererOption = None,
    source: Annotated[str | None, typer.Option(help="Only this source document.")] = None,
) -> None:
    """Talk in the terminal: follow-ups, sources under each answer, /sources, /quit."""
    from assistant.settings import load_settings
    from assistant.terminal import chat, typed_lines

    settings = load_settings(k=k, answerer=answerer)
    chat(_assistant(settings), typed_lines(), source=source)


@app.command("stats")
def stats_command(as_json: JsonFlag = False) -> None:
    """Show what is indexed: documents, chunks and sentences."""
    from assistant.settings import load_settings

    stats = _assistant(load_settings()).stats()
    if as_json:
        print(json.dumps(stats.to_dict(), indent=2, ensure_ascii=False))
        return
    print(
        f"{len(stats.documents)} documents, {stats.chunks} chunks, "
        f"{stats.sentences} sentences in {stats.collection} ({stats.store})"
    )
    print(f"corpus folder {stats.corpus_dir}, data folder {stats.data_dir}")
    for corpus, count in stats.corpora.items():
        print(f"  corpus {corpus}: {count} documents")
    for d in stats.documents:
        flag = "" if d.complete else "  [incomplete: re-run chipqa ingest]"
        print(f"  {d.chunks:4d}  {d.title}  ({d.meta.get('date', 'undated')}){flag}")


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 7860).")] = None,
) -> None:
    """Serve the chat UI in your browser."""
    from assistant.settings import load_settings
    from assistant.web import serve

    settings = load_settings(host=host, port=port)
    serve(_assistant(settings))


@app.command("eval")
def eval_command(
    gold: Annotated[Path, typer.Option(help="Gold FAQ YAML file.")] = Path("eval/gold_faq.yaml"),
    split: Annotated[
        str, typer.Option(help="dev, test, blind, a comma list of them, or all.")
    ] = "dev,test",
    answerer: AnswererOption = None,
    k: Annotated[int | None, typer.Option("--k", help="Passages to use.")] = None,
    out: Annotated[Path, typer.Option(help="Report folder.")] = Path("eval/reports/latest"),
    baseline: Annotated[bool, typer.Option(help="Also run the naive LangChain RAG.")] = False,
    thresholds: Annotated[Path | None, typer.Option(help="Fail below these floors.")] = None,
    sample: Annotated[
        int, typer.Option(min=0, help="Questions per split, evenly spaced (0: all).")
    ] = 0,
) -> None:
    """Score answers against a gold FAQ; write report.json, report.md and plots."""
    from assistant.evaluation import require_tooling
    from assistant.evaluation.harness import run_eval
    from assistant.settings import load_settings

    require_tooling("eval")
    settings = load_settings(k=k, answerer=answerer)
    code = run_eval(
        _assistant(settings),
        gold=gold,
        split=split,
        out=out,
        baseline=baseline,
        thresholds=thresholds,
        sample=sample,
    )
    raise typer.Exit(code)


@app.command("bench")
def bench_command(
    sizes: Annotated[
        str | None,
        typer.Option(help="Corpus multipliers, e.g. 1,10,100 (the default, none with --simulate)."),
    ] = None,
    simulate: Annotated[
        str | None,
        typer.Option(help="Store simulation sizes in chunks, e.g. 10000,100000 (no embedding)."),
    ] = None,
    queries: Annotated[int, typer.Option(help="Questions per size.")] = 0,
    out: Annotated[Path, typer.Option(help="Report folder.")] = Path("eval/reports/bench"),
    quick: Annotated[bool, typer.Option(help="Sizes 1,10 and few queries (smoke test).")] = False,
    gold: Annotated[Path, typer.Option(help="Gold FAQ whose questions are timed.")] = Path(
        "eval/gold_faq.yaml"
    ),
    targets: Annotated[Path, typer.Option(help="Speed targets to check.")] = Path(
        "eval/bench_targets.yaml"
    ),
    local: Annotated[
        int,
        typer.Option(help="Dev questions timing the local model's prompt cache (0: none)."),
    ] = 0,
) -> None:
    """Measure latency, throughput and memory against baselines; write bench.json/md/png."""
    from assistant.bench.run import run_bench
    from assistant.evaluation import require_tooling
    from assistant.settings import load_settings

    require_tooling("bench")
    settings = load_settings()
    run_bench(
        settings,
        sizes=sizes if sizes is not None else ("" if simulate or local else "1,10,100"),
        queries=queries,
        out=out,
        quick=quick,
        gold=gold,
        targets=targets,
        simulate=simulate or "",
        local=local,
    )


def main() -> None:
    """Entry point: mistakes become one line on stderr, exit status 2 for a command line
    that does not parse (Click's usage errors) and 1 for the rest."""
    from assistant.errors import ChipQAError

    _warnings_to_stderr()
    try:
        if not sys.argv[1:]:  # `chipqa` alone: the help, and the status of a usage error
            app(prog_name="chipqa", args=["--help"], standalone_mode=False)
            sys.exit(2)
        code = app(prog_name="chipqa", standalone_mode=False)
    except (typer.TyperException, ChipQAError) as error:
        if os.environ.get("CHIPQA_DEBUG"):
            raise
        print(f"chipqa: error: {_one_line(error)}", file=sys.stderr)
        sys.exit(getattr(error, "exit_code", 1))
    except (KeyboardInterrupt, typer.Abort):
        print("chipqa: interrupted", file=sys.stderr)
        sys.exit(130)
    sys.exit(code or 0)


def _one_line(error: Exception) -> str:
    """An error as one line; a usage error points to the command's help."""
    if not isinstance(error, typer.TyperException):
        return str(error)
    message = " ".join(error.format_message().split()).rstrip(".")
    context = getattr(error, "ctx", None)
    return f"{message} (see `{context.command_path} -h`)" if context else message


class _StderrLines(logging.Handler):
    """ChipQA's warnings as `chipqa: warning: …` lines on stderr, the way errors are printed."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"chipqa: {record.levelname.lower()}: {self.format(record)}", file=sys.stderr)


def _warnings_to_stderr() -> None:
    """ChipQA's warnings (a damaged file rebuilt, an unknown variable) as lines on stderr."""
    logger = logging.getLogger("assistant")
    if not any(isinstance(handler, _StderrLines) for handler in logger.handlers):
        logger.addHandler(_StderrLines(logging.WARNING))
