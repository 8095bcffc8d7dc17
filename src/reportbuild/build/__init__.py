"""The build: from the project's files to its outputs, doing only what changed.

- `options`: what a build is asked to do (BuildOptions), its progress lines, its result.
- `outputs`: the registry of outputs, one entry each, with the stage that builds it.
- `inputs`: the digests of each group of inputs (standard library only).
- `manifest`: the cache manifest, which says what is up to date.
- `lock`: the project lock.
- `workers`: stage workers and the messages between them and the build.
- `pipeline`: `run_build`, which puts these together.
"""

from __future__ import annotations

from reportbuild.build.inputs import artifact_keys, brand_file, input_groups
from reportbuild.build.lock import BuildLock
from reportbuild.build.manifest import is_fresh
from reportbuild.build.manifest import record as _record
from reportbuild.build.options import (
    BuildOptions,
    BuildResult,
    Feedback,
    Output,
    findings_lines,
    human_size,
    summary_lines,
)
from reportbuild.build.outputs import REGISTRY, OutputKind, Stage, register
from reportbuild.build.pipeline import CACHE_DIR, OUTPUT_DIR, PDF_VARIANTS, run_build
from reportbuild.build.workers import StageWorker
from reportbuild.build.workers import process_context as _process_context
from reportbuild.errors import BuildError

__all__ = [
    "CACHE_DIR",
    "OUTPUT_DIR",
    "PDF_VARIANTS",
    "REGISTRY",
    "BuildError",
    "BuildLock",
    "BuildOptions",
    "BuildResult",
    "Feedback",
    "Output",
    "OutputKind",
    "Stage",
    "StageWorker",
    "_process_context",
    "_record",
    "artifact_keys",
    "brand_file",
    "findings_lines",
    "human_size",
    "input_groups",
    "is_fresh",
    "register",
    "run_build",
    "summary_lines",
]
