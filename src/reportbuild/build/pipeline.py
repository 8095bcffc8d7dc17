"""The pipeline: what is stale, the lock, loading, the chart round, each output's stage.

Reads top to bottom as a build. Until `_Build.run` nothing but the standard library runs (the
inputs' digests and the manifest), so a build with nothing to do answers at once.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reportbuild import paths
from reportbuild.build import staging
from reportbuild.build.inputs import artifact_keys, input_groups
from reportbuild.build.lock import BuildLock
from reportbuild.build.manifest import is_fresh, read_manifest, record, write_manifest
from reportbuild.build.options import BuildOptions, BuildResult, Feedback, Output, counted
from reportbuild.build.outputs import REGISTRY, Stage
from reportbuild.build.staging import cannot_write, check_writable, stage_folder
from reportbuild.build.workers import StageWorker, internal_error, run_job
from reportbuild.errors import BuildError, ReportError
from reportbuild.procs import BACKGROUND_NICE, SVG_NICE, lower_priority, raise_if_stopped

CACHE_DIR = paths.CACHE
OUTPUT_DIR = paths.OUTPUT
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")


def _requested(only: str | tuple[str, ...] | None) -> list[str]:
    """The outputs asked for, in the registry's order: all of them, one, or several."""
    if not only:
        return list(REGISTRY)
    asked = (only,) if isinstance(only, str) else tuple(only)
    for name in asked:
        if name not in REGISTRY:
            raise BuildError(f"--only {name}: choose one of {', '.join(REGISTRY)}")
    return [name for name in REGISTRY if name in asked]


def run_build(
    root: Path | str, opts: BuildOptions | None = None, feedback: Feedback | None = None
) -> BuildResult:
    """Build what is out of date among the requested artifacts; raise ReportError on failure."""
    opts = opts or BuildOptions()
    fb = feedback or Feedback(opts.verbosity)
    t_start = time.perf_counter()
    root = Path(root).resolve()
    if not paths.ProjectPaths(root).sources.is_dir():
        raise BuildError(f"{root} has no sources/ folder; run in a report project or pass -C DIR")
    if opts.template is not None and not Path(opts.template).is_file():
        raise BuildError(f"--template {opts.template}: no such file")
    if opts.pdf_variant is not None and opts.pdf_variant not in PDF_VARIANTS:
        raise BuildError(
            f"--pdf-variant {opts.pdf_variant}: choose one of {', '.join(PDF_VARIANTS)}"
        )
    requested = _requested(opts.only)
    out_dir = root / OUTPUT_DIR
    cache_dir = root / CACHE_DIR
    for a in requested:
        if REGISTRY[a].stage is not None:
            REGISTRY[a].stage.check(root, opts)
    check_writable(out_dir, [(REGISTRY[a].target, REGISTRY[a].folder) for a in requested], root)
    manifest_path = cache_dir / "manifest.json"

    with BuildLock(cache_dir, opts.lock_timeout, fb.info):
        groups = input_groups(root, opts)
        keys = artifact_keys(groups)
        manifest = read_manifest(manifest_path)
        stale = [
            a for a in requested if opts.force or not is_fresh(manifest.get(a), keys[a], out_dir)
        ]  # fmt: skip
        if not stale:
            fresh = [_output_from_manifest(a, manifest[a], out_dir) for a in requested]
            result = BuildResult(fresh, up_to_date=True)
            result.seconds = time.perf_counter() - t_start
            return result
        for a in stale:
            fb.detail(f"{a}: {_why_stale(a, manifest.get(a), groups, opts.force)}")
        build = _Build(root, opts, fb, stale, manifest, groups, manifest_path)
        outputs = build.run()

    fresh = [_output_from_manifest(a, manifest[a], out_dir) for a in requested if a not in stale]
    by_name = {o.artifact: o for o in outputs + fresh}
    # what was asked for, and what was rebuilt on the way (charts for the HTML, say)
    shown = [a for a in REGISTRY if a in requested or a in by_name]
    result = BuildResult([by_name[a] for a in shown if a in by_name], False)
    result.findings = sorted(set(build.findings))
    result.seconds = time.perf_counter() - t_start
    return result


def _why_stale(artifact: str, entry: object, groups: dict[str, str], force: bool) -> str:
    """Why an artifact is rebuilt, for -v: which inputs changed, or what happened to its files."""
    if force:
        return "rebuilt (--force)"
    if not isinstance(entry, dict):
        return "not built yet"
    old = entry.get("inputs") or {}
    changed = [g for g in REGISTRY[artifact].depends if old.get(g) != groups[g]]
    if changed:
        return "inputs changed: " + ", ".join(changed)
    return "its files are missing or were changed since the last build"


def _output_from_manifest(artifact: str, entry: dict, out_dir: Path) -> Output:
    path = out_dir / REGISTRY[artifact].target
    return Output(artifact, path, entry.get("size", 0), False, entry.get("count"))


# ── the chart round, in a worker or here ─────────────────────────────────────


def _shared_imports() -> None:
    """What this process and the PDF and chart workers all import (pydantic with the model, the
    brand, the figures' data): imported before they fork, it is imported and held once."""
    import reportbuild.brand
    import reportbuild.figdata
    import reportbuild.model  # noqa: F401


def _warm_charts(root: Path) -> None:
    import reportbuild.charts.draw  # noqa: F401 - matplotlib, with what drawing uses


def _charts_job(report, brand, out_dir: Path, chart_plan, split=True, inbox=None) -> dict:
    """Draw the charts, telling the parent when their sizes are known and when the print SVGs
    are written (it passes both on to the PDF); from then on at lower priority. `split`: the
    outlined SVGs and PNGs in two processes (when no PDF is drawn beside them on the other
    core)."""
    from reportbuild.charts import render_all

    def sizes(known: dict) -> None:
        if inbox is not None:
            inbox.news("sizes", known)
        lower_priority(SVG_NICE)

    def svgs() -> None:
        if inbox is not None:
            inbox.news("svgs")
        lower_priority(BACKGROUND_NICE)

    return render_all(
        report, brand, out_dir, on_sizes=sizes, on_svgs=svgs, chart_plan=chart_plan, split=split
    )


class _Build:
    """One run over the stale outputs: load, the chart round, each output's stage (outputs.py)
    around it. The PDF and the deck run in their own processes (the PDF's started first, so
    that its imports overlap with loading); WeasyPrint typesets while the charts are drawn."""

    def __init__(self, root, opts, fb, stale, manifest, groups, manifest_path):
        self.root, self.opts, self.fb, self.stale = root, opts, fb, set(stale)
        # Every stage writes into the staging folder; output/ changes only once all of them
        # succeeded (commit), so a failed build leaves the previous outputs untouched.
        self.final_dir = root / OUTPUT_DIR
        self.out_dir = paths.ProjectPaths(root).staging
        self.files: dict[str, list[Path]] = {}
        self.dropped: list[Path] = []  # files to remove from output/ (relative to it)
        self.manifest, self.groups, self.manifest_path = manifest, groups, manifest_path
        self.keys = artifact_keys(groups)
        self.outputs: list[Output] = []
        self.errors: list[ReportError] = []
        self.chart_plan = None
        self.findings: list = []  # the editorial lints' findings, for the summary
        styles = paths.ProjectPaths(root).styles
        self.theme_dirs = (styles,) if styles.is_dir() else ()

    # ── what the stages call ──

    def done(self, artifact: str, files: list[Path], count: int | None, seconds: float) -> None:
        """An output was written (into the staging folder): record it for the manifest, the
        commit and the summary."""
        size = sum(p.stat().st_size for p in files)
        self.manifest[artifact] = {
            "key": self.keys[artifact],
            "inputs": {g: self.groups[g] for g in REGISTRY[artifact].depends},
            "files": record(self.out_dir, files),
            "size": size,
        } | ({"count": count} if count is not None else {})  # fmt: skip
        target = self.final_dir / REGISTRY[artifact].target
        self.outputs.append(Output(artifact, target, size, True, count, seconds))
        self.files[artifact] = files

    def failed(self, exit_code: int, message: str, trace: str = "") -> None:
        if trace:
            self.fb.detail(trace)
        err = BuildError(message)
        err.exit_code = exit_code
        self.errors.append(err)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Collect a stage's failure and go on with the others; a bug is reported, no traceback."""
        try:
            yield
        except ReportError as exc:
            self.errors.append(exc)
        except OSError as exc:
            self.failed(1, cannot_write(name, exc, self.root))
        except Exception as exc:
            import traceback

            self.failed(1, internal_error(name, exc), "".join(traceback.format_exception(exc)))

    def finish_job(self, st: Stage, fn, call: tuple) -> None:
        """The outcome of a stage's job (from its worker, or run here now): (count, notes)."""
        name = st.kind.name
        args, kwargs = call
        res = st.worker.result() if st.worker is not None else run_job(name, fn, args, kwargs)
        if res[0] != "ok":
            self.failed(res[1], res[2], res[3])
            return
        (count, notes), secs = res[1], res[2]
        self.fb.info(f"{name:<7} {secs:5.2f}s  {counted(name, count)}")
        for note in notes:
            self.fb.detail(f"{name}: {note}")
        self.done(name, [self.out_dir / st.kind.target], count, secs)

    # ── the run ──

    def run(self) -> list[Output]:
        stages = [
            k.stage(self, k) for name, k in REGISTRY.items() if name in self.stale and k.stage
        ]
        workers: list[StageWorker] = []
        chart_worker = None

        def fork(name: str, warm, nice: int = 0) -> StageWorker:
            workers.append(StageWorker(name, warm, self.root, nice, tuple(workers)))
            return workers[-1]

        # one try from the staging folder's making: failed, interrupted (Ctrl-C while the
        # workers are forked, say) or done, no staged file stays behind
        try:
            try:
                uses = any(REGISTRY[a].charts for a in self.stale)
                stage_folder(self.out_dir, self.final_dir, figures=uses)
            except OSError as exc:
                raise BuildError(cannot_write("build", exc, self.root)) from None
            try:
                if self.opts.jobs > 1:
                    _shared_imports()  # once, here: the workers forked below inherit them
                    # Started before loading, so that their imports overlap the loading:
                    # WeasyPrint, and matplotlib if the chart files are to be rebuilt (else the
                    # chart round only checks its files, here, quickly).
                    for st in stages:
                        if st.warm and st.early:
                            st.worker = fork(st.kind.name, st.warm, st.nice)
                    if "charts" in self.stale:
                        chart_worker = fork("charts", _warm_charts)
                self._run(stages, chart_worker, fork)
            finally:
                for w in workers:
                    w.close()
            if not self.errors:
                raise_if_stopped()  # a Ctrl-C whose SystemExit Python lost: not now
                with self.stage("output"):
                    self._commit()
        finally:
            shutil.rmtree(self.out_dir, ignore_errors=True)
        if self.errors:
            if len(self.errors) == 1:
                raise self.errors[0]
            exc = BuildError("\n".join(e.format_message() for e in self.errors))
            exc.exit_code = max(e.exit_code for e in self.errors)
            raise exc
        return self.outputs

    def _commit(self) -> None:
        """Move every staged file into output/ (a rename each, after all stages succeeded), drop
        figure files no longer drawn, then record the manifest."""
        final, staged = self.final_dir, self.out_dir
        # each file replaced keeps its previous version (a hard link) until all are in place:
        # a move that fails (disk full on another file system, say) puts the earlier ones back
        previous = staged / ".previous"
        moved: list[tuple[Path, Path | None]] = []
        try:
            for files in self.files.values():
                for src in files:
                    rel = src.relative_to(staged)
                    dst, keep = final / rel, None
                    if dst.is_file():
                        keep = previous / rel
                        keep.parent.mkdir(parents=True, exist_ok=True)
                        staging.link_or_copy(dst, keep)
                    staging.move_into(src, dst)
                    moved.append((dst, keep))
        except OSError:
            for dst, keep in reversed(moved):
                if keep is not None:
                    os.replace(keep, dst)
                else:
                    dst.unlink(missing_ok=True)
            raise
        if "charts" in self.files and (final / "figures").is_dir():
            keep = {p.relative_to(staged) for p in self.files["charts"]}
            for old in (final / "figures").rglob("*"):
                if old.is_file() and old.relative_to(final) not in keep:
                    old.unlink()
        for rel in self.dropped:
            (final / rel).unlink(missing_ok=True)
        write_manifest(self.manifest_path, self.manifest)

    def _run(self, stages: list[Stage], chart_worker, fork) -> None:
        # Only now the heavy part: pydantic, the loader, the stages.
        from reportbuild.brand import load_brand
        from reportbuild.load import load_project

        with self.fb.step("load"):
            report = load_project(self.root)  # SourceError (exit 2) before anything is written
            brand = load_brand(self.root)
        # Charts drawn in this build: the print HTML names their files before they exist.
        uses = {REGISTRY[a].charts for a in self.stale} - {None}
        if uses:
            from reportbuild.charts import plan

            figures = self.out_dir / "figures"
            portable = "files" in uses  # else only the print SVGs need be current
            self.chart_plan = plan(report, brand, figures, self.opts.force, portable)
        for st in stages:
            st.begin(report, brand)
        if self.opts.jobs > 1:
            # forked now, with the loaded model (its pages shared with this process) and what
            # the print HTML imported (the word segmenter: the deck's line breaking uses it)
            for st in stages:
                if st.warm and not st.early:
                    st.worker = fork(st.kind.name, st.warm, st.nice)
        charts = None
        if uses:

            def relay(kind: str, payload: object = None) -> None:
                for st in stages:
                    st.news(kind, payload)

            with self.stage("charts"):
                charts = self._charts(report, brand, self.chart_plan, chart_worker, relay)
        for st in stages:
            st.charts_drawn(report, brand, charts)
        # the lints here, while the workers typeset and write: this process would only wait
        self._lint(report, brand, layout=False)
        for st in stages:
            st.finish()
        if not self.errors:
            self._lint(report, brand, layout=True)

    def _lint(self, report, brand, layout: bool) -> None:
        """The editorial lints' findings for the summary (`check` is where they fail a run).
        Read-only and advisory: a lint that breaks is a detail, never a failed build."""
        if self.fb.verbosity < 1:
            return
        from reportbuild.lints import build_layout_findings, run_lints

        try:
            if layout:
                self.findings += build_layout_findings(report, self.root)
            else:
                self.findings += run_lints(report, brand, self.root, layout=False)
        except Exception as exc:  # noqa: BLE001 - the build's outputs do not depend on it
            self.fb.detail(f"lints: not run ({type(exc).__name__}: {exc})")

    def _charts(self, report, brand, chart_plan, worker=None, relay=None) -> dict | None:
        """Draw the charts (in `worker` if given, passing its news on to `relay(kind, payload)`);
        None if that failed (the failure is recorded)."""
        from reportbuild.charts import render_all

        t0 = time.perf_counter()
        n = len(report.figures)
        figures = self.out_dir / "figures"
        # the outlined SVGs and PNGs are for the outputs that need every file (charts, HTML): a
        # PDF alone goes without them
        portable = any(REGISTRY[a].charts == "files" for a in self.stale)
        with self.fb.step("charts", lambda: f"{n} figure{'' if n == 1 else 's'}"):
            if worker is None:  # drawn here: the news goes out all the same
                tell = relay or (lambda kind, payload=None: None)
                charts = render_all(
                    report, brand, figures, chart_plan=chart_plan, portable=portable,
                    on_sizes=lambda sizes: tell("sizes", sizes), on_svgs=lambda: tell("svgs"),
                )  # fmt: skip
            else:
                split = "pdf" not in self.stale  # else the PDF is drawn on the other core
                worker.submit(_charts_job, report, brand, figures, chart_plan, split)
                res = worker.result(on_news=relay)
                if res[0] != "ok":
                    self.failed(res[1], res[2], res[3])
                    return None
                charts = res[1]
        extra = figures / ".charts.json"
        if not portable:
            # Drawn for the PDF alone: the print SVGs and the charts' own manifest go to output/
            # with it, and the redrawn figures' older SVG and PNG leave it (the next build that
            # needs them draws them). The charts output itself is not complete.
            drawn = [charts[f.id] for f in chart_plan.todo]
            self.files["charts/print"] = [c.print_svg for c in drawn]
            self.files["charts/print"] += [extra] if drawn and extra.is_file() else []
            self.dropped += [p.relative_to(self.out_dir) for c in drawn for p in (c.svg, c.png)]
            return charts
        files = [f for c in charts.values() for f in c.paths]
        files += [extra] if extra.is_file() else []
        self.done("charts", files, n, time.perf_counter() - t0)
        return charts
