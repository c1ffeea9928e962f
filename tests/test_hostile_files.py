"""Hostile knowledge files: code-running tags, huge files, alias bombs, symlinks, FIFOs, garbage.

Every case must end in a clean ``file:line: error: ...`` problem, quickly and with bounded memory,
both through the loader (``inspect_knowledge`` / ``load_knowledge``) and through
``article-bot check``; nothing outside the knowledge folder is ever opened.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.knowledge import (
    MAX_FILE_BYTES,
    MAX_NODES,
    KnowledgeError,
    Problem,
    inspect_knowledge,
    load_knowledge,
)

PROBLEM_LINE = re.compile(r"^[^\s:][^:]*:\d+: error: \S.*$")
MiB = 1024 * 1024


# ============================================================================ helpers


def call_with_timeout(fn: Callable[[], Any], timeout: float) -> Any:
    """Run ``fn`` in a daemon thread; fail the test if it does not finish within ``timeout``.

    A blocked ``open()`` of a FIFO cannot be interrupted, so the thread is a daemon and the
    caller unblocks it (see :func:`unblock_fifo`) if the assertion fires.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            outcome["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"still running after {timeout} s (blocked on a FIFO?)"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def unblock_fifo(fifo: Path) -> None:
    """Release a reader stuck opening ``fifo`` (opening the write end wakes it with EOF)."""
    with contextlib.suppress(OSError):  # no reader waiting: nothing to release
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


# A correctness bound, not a benchmark: reading gigabytes or building half a million nodes takes
# minutes, refusing them early takes milliseconds; the bound leaves room for a loaded CI machine.
HANG_BOUND = 10.0


def rejected_measured(folder: Path) -> tuple[Problem, float, int]:
    """The one error for ``folder``, the seconds it took and the peak traced memory (bytes)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        (problem,) = rejected(folder)
        return problem, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rejected(folder: Path) -> list[Problem]:
    """The errors for ``folder``: it must not load, and every problem must be one clean line."""
    kb, problems = inspect_knowledge(folder)
    assert kb is None
    assert problems and all(p.severity == "error" for p in problems)
    for problem in problems:
        assert PROBLEM_LINE.match(str(problem)) and "\n" not in str(problem), str(problem)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(folder)
    assert caught.value.problems == problems
    return problems


def message(folder: Path) -> str:
    """All problem messages for ``folder``, joined (after checking it is rejected cleanly)."""
    return "\n".join(str(p) for p in rejected(folder))


def check_cli(folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``article-bot check FOLDER``; return the exit code, stdout and stderr."""
    code = main(["check", str(folder)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_check_fails_cleanly(folder: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """``check`` exits 1 with ``file:line: error:`` lines and a summary on stderr, no traceback."""
    code, out, err = check_cli(folder, capsys)
    assert code == 1
    assert "Traceback" not in out + err
    *lines, summary = err.splitlines()
    assert lines and all(PROBLEM_LINE.match(line) for line in lines), err
    assert summary.endswith("not loadable")
    return lines


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """An empty knowledge folder to put a hostile file in."""
    folder = tmp_path / "kb"
    folder.mkdir()
    return folder


@pytest.fixture(autouse=True)
def _no_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from an empty directory so the CLI reads no project ``.env``."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def marker() -> Iterator[Path]:
    """A file name in the temp dir that a successful exploit would create."""
    path = Path(tempfile.gettempdir()) / f"pwned-{uuid.uuid4().hex}"
    yield path
    path.unlink(missing_ok=True)


# ======================================================================= (a) code-running tags

TAG_CASES = [
    ('!!python/object/apply:os.system ["touch {marker}"]\n', "python/object/apply:os.system"),
    ('article: !!python/object/apply:os.system ["touch {marker}"]\n',
     "python/object/apply:os.system"),
    ('article:\n  id: !!python/object/new:os.system ["touch {marker}"]\n',
     "python/object/new:os.system"),
    ('? !!python/object/apply:os.system ["touch {marker}"]\n: key\n',
     "python/object/apply:os.system"),
    ("article: !!python/name:os.system\n", "python/name:os.system"),
    ("article: !!python/module:os\n", "python/module:os"),
    ("article: !!binary aGVsbG8=\n", "binary"),
    ("article: !custom {{id: x}}\n", "!custom"),
]


def test_the_tag_payload_is_live_under_an_unsafe_loader(marker: Path) -> None:
    # A control: the payload below really runs a command, so its absence later means something.
    yaml.load(TAG_CASES[0][0].format(marker=marker), Loader=yaml.UnsafeLoader)
    assert marker.exists()


@pytest.mark.parametrize(("text", "tag"), TAG_CASES)
def test_python_tags_are_refused_before_anything_runs(kb: Path, marker: Path, text: str,
                                                      tag: str) -> None:
    (kb / "evil.yaml").write_text(text.format(marker=marker), encoding="utf-8")
    (problem,) = rejected(kb)
    assert problem.file == "evil.yaml" and problem.line >= 1
    assert "is not allowed" in problem.message and tag in problem.message
    assert not marker.exists()


@pytest.mark.parametrize(("text", "tag"), TAG_CASES[:1])
def test_python_tags_through_check(kb: Path, marker: Path, capsys: pytest.CaptureFixture[str],
                                   text: str, tag: str) -> None:
    (kb / "evil.yaml").write_text(text.format(marker=marker), encoding="utf-8")
    (line,) = assert_check_fails_cleanly(kb, capsys)
    assert line.startswith("evil.yaml:1: error: ") and tag in line
    assert not marker.exists()


# ============================================================================ (b) size


def test_a_huge_file_is_refused_by_size_without_reading_it(kb: Path) -> None:
    huge = kb / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(8 * 1024 * MiB)  # sparse: 8 GiB that cost no disk
    problem, elapsed, peak = rejected_measured(kb)
    assert elapsed < HANG_BOUND  # it must not read 8 GiB
    assert peak < 4 * MiB
    assert (problem.file, problem.message) == ("huge.yaml",
                                               f"file is larger than {MAX_FILE_BYTES // 1024} KiB")


def test_size_limit_boundary(kb: Path) -> None:
    (kb / "a.yaml").write_bytes(b"#" * MAX_FILE_BYTES)  # at the limit: read, then judged as YAML
    assert [p.message for p in rejected(kb)] == [
        "the file must be a mapping with an 'article' key"]
    (kb / "a.yaml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert [p.message for p in rejected(kb)] == [
        f"file is larger than {MAX_FILE_BYTES // 1024} KiB"]


def test_a_huge_source_is_refused(tiny_knowledge: Path) -> None:
    with (tiny_knowledge / "sources" / "tiny.txt").open("wb") as handle:
        handle.truncate(4 * 1024 * MiB)
    started = time.perf_counter()
    (problem,) = rejected(tiny_knowledge)
    assert time.perf_counter() - started < HANG_BOUND
    assert problem.file == "tiny.yaml"
    assert "source is larger than" in problem.message and "sources/tiny.txt" in problem.message


def test_a_huge_file_through_check(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with (kb / "huge.yaml").open("wb") as handle:
        handle.truncate(2 * 1024 * MiB)
    (line,) = assert_check_fails_cleanly(kb, capsys)
    assert line == f"huge.yaml:0: error: file is larger than {MAX_FILE_BYTES // 1024} KiB"


# ============================================================================ (c) alias bombs


def alias_bomb(levels: int, width: int) -> str:
    """A "billion laughs" document: each level holds ``width`` aliases of the previous one."""
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("levels", "width"), [(9, 9), (9, 10), (10, 10)])
def test_alias_bomb_is_refused_fast_with_bounded_memory(kb: Path, levels: int,
                                                        width: int) -> None:
    (kb / "bomb.yaml").write_text(alias_bomb(levels, width), encoding="utf-8")
    problem, elapsed, peak = rejected_measured(kb)
    assert elapsed < HANG_BOUND
    assert peak < 50 * MiB
    assert problem.file == "bomb.yaml" and 1 <= problem.line <= levels + 1
    assert f"more than {MAX_NODES} nodes" in problem.message


def test_many_aliases_below_the_limit_are_fine(kb: Path) -> None:
    # Aliases themselves are legal YAML; only the expansion is limited.
    text = ('article: &a {id: x}\nsame: *a\n')
    (kb / "a.yaml").write_text(text, encoding="utf-8")
    assert "unknown top-level key 'same'" in message(kb)


@pytest.mark.parametrize("text", ["&a [*a]\n", "&a {x: *a}\n", "article: &a\n  self: *a\n",
                                  "a: &a [1, [2, *a]]\n"])
def test_recursive_alias_is_refused(kb: Path, text: str) -> None:
    (kb / "loop.yaml").write_text(text, encoding="utf-8")
    (problem,) = rejected(kb)
    assert problem.message == "recursive YAML alias"


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ("{a: ", "}"), ("[{a: ", "}]")])
def test_deep_nesting_is_refused_without_crashing(kb: Path, opening: str, closing: str) -> None:
    depth = 100_000
    (kb / "deep.yaml").write_text(opening * depth + closing * depth + "\n", encoding="utf-8")
    started = time.perf_counter()
    (problem,) = rejected(kb)
    assert time.perf_counter() - started < HANG_BOUND
    assert problem.file == "deep.yaml"
    assert "nest" in problem.message  # "nested too deeply" / "maximum nesting depth"


def test_a_flat_flood_of_nodes_is_refused_cheaply(kb: Path) -> None:
    count = (MAX_FILE_BYTES - 2) // 2  # "[1,1,...,1]" filling the size limit: ~524k nodes
    (kb / "flood.yaml").write_text("[" + ",".join(["1"] * count) + "]", encoding="utf-8")
    started = time.perf_counter()
    (problem,) = rejected(kb)
    assert time.perf_counter() - started < HANG_BOUND
    assert str(MAX_NODES) in problem.message
    tracemalloc.start()  # a second run, traced (tracing slows it, so it is not timed)
    try:
        rejected(kb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * MiB


def test_alias_bomb_through_check(kb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (kb / "bomb.yaml").write_text(alias_bomb(9, 10), encoding="utf-8")
    (line,) = assert_check_fails_cleanly(kb, capsys)
    assert line.startswith("bomb.yaml:") and "alias bomb" in line


# ============================================================================ (d) symlinks, FIFOs


def test_yaml_symlink_to_an_outside_fifo_is_refused_without_opening_it(tmp_path: Path,
                                                                        kb: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    fifo = outside / "secret.yaml"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    (kb / "evil.yaml").symlink_to(fifo)
    try:
        problems = call_with_timeout(lambda: rejected(kb), timeout=5.0)
    finally:
        unblock_fifo(fifo)
    assert [(p.file, p.message) for p in problems] == [
        ("evil.yaml", "file is outside the knowledge folder or missing (symlinks are resolved)")]


def test_yaml_symlink_to_an_outside_file_never_reads_it(tmp_path: Path, tiny_knowledge: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("article: {id: SECRET-CONTENT-4711}\n", encoding="utf-8")
    (tiny_knowledge / "evil.yaml").symlink_to(secret)
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self.resolve())
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    text = message(tiny_knowledge)
    assert "evil.yaml:0: error: file is outside the knowledge folder" in text
    assert "SECRET-CONTENT" not in text
    assert secret.resolve() not in opened
    assert (tiny_knowledge / "tiny.yaml").resolve() in opened  # the spy does see reads


def test_source_symlink_pointing_outside_is_refused(tmp_path: Path, tiny_knowledge: Path) -> None:
    source = tiny_knowledge / "sources" / "tiny.txt"
    outside = tmp_path / "outside.txt"
    outside.write_bytes(source.read_bytes())  # identical text: only its place is wrong
    source.unlink()
    source.symlink_to(outside)
    (problem,) = rejected(tiny_knowledge)
    assert problem.file == "tiny.yaml" and problem.line == 2
    assert problem.message == ("article: source is outside the knowledge folder or missing "
                               "(symlinks are resolved) (sources/tiny.txt)")


def test_symlinks_that_stay_inside_are_fine(tiny_knowledge: Path) -> None:
    sources = tiny_knowledge / "sources"
    (sources / "tiny.txt").rename(sources / "real.txt")
    (sources / "tiny.txt").symlink_to("real.txt")
    kb, problems = inspect_knowledge(tiny_knowledge, lint=False)
    assert kb is not None and problems == []


def test_a_symlinked_knowledge_folder_is_fine(tmp_path: Path, tiny_knowledge: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    link = tmp_path / "linked-knowledge"
    link.symlink_to(tiny_knowledge, target_is_directory=True)
    kb = load_knowledge(link)
    assert kb.files == ("tiny.yaml",) and kb.statements
    code, out, err = check_cli(link, capsys)
    assert code == 0 and err == ""
    assert "OK" in out


def test_a_fifo_in_the_folder_is_refused_without_blocking(kb: Path) -> None:
    fifo = kb / "x.yaml"
    os.mkfifo(fifo)
    started = time.perf_counter()
    try:
        problems = call_with_timeout(lambda: rejected(kb), timeout=5.0)
    finally:
        unblock_fifo(fifo)
    assert time.perf_counter() - started < HANG_BOUND
    assert [(p.file, p.message) for p in problems] == [("x.yaml", "file is not a regular file")]


def test_a_fifo_source_is_refused_without_blocking(tiny_knowledge: Path) -> None:
    source = tiny_knowledge / "sources" / "tiny.txt"
    source.unlink()
    os.mkfifo(source)
    try:
        problems = call_with_timeout(lambda: rejected(tiny_knowledge), timeout=5.0)
    finally:
        unblock_fifo(source)
    assert [p.message for p in problems] == [
        "article: source is not a regular file (sources/tiny.txt)"]


@pytest.mark.parametrize("kind", ["directory", "dangling", "loop"])
def test_odd_entries_named_yaml_are_refused(kb: Path, kind: str) -> None:
    if kind == "directory":
        (kb / "x.yaml").mkdir()
        expected = "file is not a regular file"
    elif kind == "dangling":
        (kb / "x.yaml").symlink_to(kb / "gone.yaml")
        expected = "file is outside the knowledge folder or missing (symlinks are resolved)"
    else:
        (kb / "x.yaml").symlink_to(kb / "y.txt")
        (kb / "y.txt").symlink_to(kb / "x.yaml")
        expected = "file is outside the knowledge folder or missing (symlinks are resolved)"
    assert [(p.file, p.message) for p in rejected(kb)] == [("x.yaml", expected)]


def test_a_fifo_given_as_the_knowledge_path_is_refused(kb: Path) -> None:
    fifo = kb / "k.yaml"
    os.mkfifo(fifo)
    try:
        problems = call_with_timeout(lambda: inspect_knowledge(fifo)[1], timeout=5.0)
    finally:
        unblock_fifo(fifo)
    assert [p.message for p in problems] == ["not a file or folder"]


def test_check_on_a_device_path_fails_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    (line,) = assert_check_fails_cleanly(Path(os.devnull), capsys)
    assert line.startswith(f"{os.devnull}:0: error: ")


def test_symlink_to_outside_fifo_through_check(tmp_path: Path, kb: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "outside.yaml"
    os.mkfifo(fifo)
    (kb / "evil.yaml").symlink_to(fifo)
    try:
        lines = call_with_timeout(lambda: assert_check_fails_cleanly(kb, capsys), timeout=5.0)
    finally:
        unblock_fifo(fifo)
    assert lines == [("evil.yaml:0: error: file is outside the knowledge folder or missing "
                      "(symlinks are resolved)")]


# ============================================================================ (e, f) bad bytes

BAD_BYTES = {
    "latin-1": "article:\n  title: Caf\u00e9 na\u00efve\n".encode("latin-1"),
    "utf-16": "article:\n  id: x\n".encode("utf-16"),
    "random": random.Random(1234).randbytes(4096),
    "png-header": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_non_utf8_bytes_give_a_clear_error(kb: Path, name: str) -> None:
    (kb / "bad.yaml").write_bytes(BAD_BYTES[name])
    (problem,) = rejected(kb)
    assert problem.file == "bad.yaml"
    assert re.fullmatch(r"file is not UTF-8 \(.+ at byte \d+\)", problem.message)


def test_non_utf8_source_gives_a_clear_error(tiny_knowledge: Path) -> None:
    source = tiny_knowledge / "sources" / "tiny.txt"
    source.write_bytes(source.read_text(encoding="utf-8").encode("utf-16"))
    (problem,) = rejected(tiny_knowledge)
    assert problem.file == "tiny.yaml"
    assert "source is not UTF-8" in problem.message and "sources/tiny.txt" in problem.message


def test_a_utf8_byte_order_mark_is_accepted(tiny_knowledge: Path) -> None:
    article = tiny_knowledge / "tiny.yaml"
    article.write_bytes(b"\xef\xbb\xbf" + article.read_bytes())
    assert load_knowledge(tiny_knowledge).articles[0].id == "tiny-article"


# Valid UTF-8 that is still binary: control characters YAML forbids.
CONTROL_BYTES = {
    "nul-in-value": b"article:\n  id: x\x00y\n",
    "elf-header": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56,
    "escape-codes": b"article: \x1b[31mred\x1b[0m\n",
}
@pytest.mark.parametrize("name", list(CONTROL_BYTES))
def test_control_characters_give_one_clear_error_line(kb: Path, name: str) -> None:
    data = CONTROL_BYTES[name]
    (kb / "bin.yaml").write_bytes(data)
    (problem,) = rejected(kb)  # one line: libyaml's own message spans two
    first_bad = next(i for i, byte in enumerate(data) if byte < 0x20 and byte not in b"\t\n\r"
                     or byte == 0x7F)
    assert (problem.file, problem.line) == ("bin.yaml", data.count(b"\n", 0, first_bad) + 1)
    assert re.fullmatch(r"invalid YAML: control characters are not allowed \(U\+[0-9A-F]{4}\)",
                        problem.message)


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_bad_bytes_through_check(kb: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    (kb / "bad.yaml").write_bytes(BAD_BYTES[name])
    (line,) = assert_check_fails_cleanly(kb, capsys)
    assert line.startswith("bad.yaml:0: error: file is not UTF-8")


@pytest.mark.parametrize("name", list(CONTROL_BYTES))
def test_control_characters_through_check(kb: Path, capsys: pytest.CaptureFixture[str],
                                          name: str) -> None:
    (kb / "bin.yaml").write_bytes(CONTROL_BYTES[name])
    (line,) = assert_check_fails_cleanly(kb, capsys)
    assert line.startswith("bin.yaml:")


def test_one_bad_file_does_not_hide_the_others(tiny_knowledge: Path) -> None:
    (tiny_knowledge / "a-bad.yaml").write_bytes(BAD_BYTES["latin-1"])
    (tiny_knowledge / "z-evil.yaml").write_text("article: !!python/name:os.system\n",
                                                encoding="utf-8")
    assert [p.file for p in rejected(tiny_knowledge)] == ["a-bad.yaml", "z-evil.yaml"]
