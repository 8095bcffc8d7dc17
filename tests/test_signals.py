"""A build stopped from outside: Ctrl-C and SIGTERM say one line; kill -9 leaves no worker."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _group(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[2]) == pgid and stat[0] != "Z":
                found.append(int(d))
    return found


def _until(test, limit: float) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if test():
            return True
        time.sleep(0.02)
    return test()


def _start(project: Path) -> subprocess.Popen:
    """A real build in its own process group, once its stage workers are running."""
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportbuild", "build", "-C", str(project)],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, start_new_session=True,
    )  # fmt: skip
    assert _until(lambda: len(_group(proc.pid)) >= 3, 30), "the build started no workers"
    return proc


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl are Linux")
def test_kill_9_leaves_no_worker_and_the_next_build_runs(project):
    proc = _start(project)
    os.kill(proc.pid, signal.SIGKILL)
    try:  # a worker that outlived the build would hold stderr open: never wait for ever
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        left = _group(proc.pid)
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        pytest.fail(f"workers outlived their build: {left}")
    assert _until(lambda: not _group(proc.pid), 2.0), "workers outlived their build"
    # the PDF alone: the lock, the staging folder and the stage workers are those of any build
    done = subprocess.run(
        [sys.executable, "-m", "reportbuild", "build", "-C", str(project), "-q", "--only", "pdf"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (project / "output" / "report.pdf").is_file()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux")
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_says_one_line_and_leaves_nothing(project, sig, code):
    proc = _start(project)
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else os.kill(proc.pid, sig)
    err = proc.communicate(timeout=60)[1].decode()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert [ln for ln in err.splitlines() if "stopped" in ln] == [err.strip().splitlines()[-1]]
    assert _until(lambda: not _group(proc.pid), 2.0)
    leftovers = [p for p in project.rglob("*") if ".tmp" in p.name or p.name.startswith(".tmp")]
    assert not leftovers
    assert not (project / ".reportbuild-cache" / "staging").exists(), "staged files left behind"


CHILD = r"""
import os, signal, sys, time
from reportbuild.procs import child_signals, signals_held

signal.signal(signal.SIGINT, lambda *_: os.write(2, b"handled by %d\n" % os.getpid()))
with signals_held():
    pid = os.fork()
    if pid:  # Ctrl-C for the child at once, before it has set its own handlers
        os.kill(pid, signal.SIGINT)
if pid == 0:
    time.sleep(0.2)  # a child still starting up (multiprocessing's bootstrap, imports)
    child_signals()
    time.sleep(0.1)
    os._exit(0)
os.kill(os.getpid(), signal.SIGINT)  # the parent still answers its own
print(os.waitpid(pid, 0)[1])
"""


def test_a_child_forked_while_ctrl_c_comes_does_not_answer_it():
    """The race behind a doubled "stopped" line: a signal that reaches a child between the fork
    and its own handlers. Held across the fork, it waits for them, and the child ignores it."""
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0"  # the child ran to its end
    assert len(done.stderr.splitlines()) == 1, done.stderr  # the parent's line, not the child's


LOST = r"""
import signal, sys, time, weakref
from reportbuild import procs

procs.UNWIND_SECONDS = 0.2
procs.child_signals()


class Box:
    pass


box = Box()
ref = weakref.ref(box, lambda _: signal.raise_signal(signal.SIGTERM))
del box  # SIGTERM handled inside the weakref callback: its SystemExit is ignored
print("went on", flush=True)
time.sleep(30)
"""


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="SIGALRM is POSIX")
def test_a_worker_whose_sigterm_python_loses_is_ended_all_the_same():
    """Python ignores an exception raised while it runs a weakref callback, a __del__ or the
    garbage collector: a SIGTERM handled there was lost, and a worker outlived its build."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", LOST], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "went on" and "SystemExit" in done.stderr  # lost, as in life
    assert done.returncode == -signal.SIGALRM, done.stderr  # and ended by the kernel
    assert time.monotonic() - start < 10


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_build_whose_stop_python_loses_stops_before_its_outputs(built_project, monkeypatch):
    """The build's own handler lost the same way (a SIGTERMed build finished and exited 0):
    the stop is raised again before the outputs are committed, which stay as they were."""
    import weakref

    from reportbuild import html, procs
    from reportbuild.build import BuildOptions, Feedback, run_build

    monkeypatch.setattr(procs, "_stop_code", None)
    render = html.render_html
    progress, said_at_stop = io.StringIO(), []

    def lost_on_the_way(*args, **kwargs):
        class Box:
            pass

        box = Box()
        said_at_stop.append(progress.getvalue())
        ref = weakref.ref(box, lambda _: procs.stop(signal.SIGTERM))
        del box  # the SystemExit raised in the callback is ignored
        assert ref() is None
        return render(*args, **kwargs)

    monkeypatch.setattr(html, "render_html", lost_on_the_way)
    chapter = next((built_project / "sources" / "chapters").glob("*.md"))
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    before = (built_project / "output" / "report.pdf").read_bytes()
    with pytest.raises(SystemExit) as stopped:
        run_build(built_project, BuildOptions(jobs=1), Feedback(1, progress))
    assert stopped.value.code == 128 + signal.SIGTERM
    # the stop's one line is the last: no step says it finished after it (it used to go on
    # through the PDF and the deck, saying so, and stop only before the commit)
    assert said_at_stop and progress.getvalue() == said_at_stop[0]
    assert (built_project / "output" / "report.pdf").read_bytes() == before
    assert not (built_project / ".reportbuild-cache" / "staging").exists()
