"""The ``article-bot`` command line, driven through ``bot.cli.main(argv)``.

Every test runs from an empty temporary directory with the bot's variables cleared, so no real
``.env`` and no developer environment leak in; only two smoke tests start a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.storage import QuestionLog

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_KNOWLEDGE = REPO_ROOT / "knowledge"
TOKEN = "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
SETTINGS_VARIABLES = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "ADMIN_IDS", "KNOWLEDGE_PATH",
                      "DATA_PATH", "WEBHOOK_URL", "WEBHOOK_LISTEN", "WEBHOOK_PORT",
                      "WEBHOOK_SECRET", "LOG_LEVEL")
PROBLEM_LINE = re.compile(r"^[^\s:][^:]*:\d+: (error|warning): \S.*$")

Captured = tuple[int, str, str]


@pytest.fixture(autouse=True)
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty cwd (no .env), no bot variables, the real knowledge base, a non-TTY stdin."""
    monkeypatch.chdir(tmp_path)
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KNOWLEDGE_PATH", str(REAL_KNOWLEDGE))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    """The project's knowledge base, to compare the CLI's output with."""
    return load_knowledge(REAL_KNOWLEDGE)


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None) -> Captured:
    """Call ``main(argv)`` (optionally with ``stdin`` text); return code, stdout, stderr."""
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)  # restored by the autouse monkeypatch
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def broken_copy(tiny_knowledge: Path) -> tuple[Path, int]:
    """The tiny knowledge base with one unknown speaker; returns it and the entry's line."""
    article = tiny_knowledge / "tiny.yaml"
    text = article.read_text(encoding="utf-8")
    assert text.count("speaker: bob") == 1
    article.write_text(text.replace("speaker: bob", "speaker: nobody"), encoding="utf-8")
    line = text.splitlines().index("  - id: bob-sanctions") + 1
    return tiny_knowledge, line


# ============================================================================ ask


def test_ask_prints_the_verbatim_quote_and_the_speaker(capsys: pytest.CaptureFixture[str],
                                                       real_kb: KnowledgeBase) -> None:
    code, out, err = run(capsys, "ask", "what did Velayati say about BRICS?")
    assert (code, err) == (0, "")
    assert real_kb.statement("velayati-brics-sco").text in out
    assert "Ali Akbar Velayati" in out
    assert "Vestnik Kavkaza" in out


def test_ask_json_prints_one_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask", "--json", "what did Velayati say about BRICS?")
    assert (code, err) == (0, "")
    (line,) = out.splitlines()
    reply = json.loads(line)
    assert set(reply) == {"question", "status", "text", "matches", "article", "more",
                          "elsewhere"}
    assert (reply["article"], reply["more"], reply["elsewhere"]) == ("russia-iran-partners", 0, [])
    assert reply["question"] == "what did Velayati say about BRICS?"
    assert reply["status"] == "answer"
    assert "strengthen the BRICS and the SCO" in reply["text"]
    assert reply["matches"], reply
    for match in reply["matches"]:
        assert set(match) == {"id", "kind", "speaker", "score", "article"}
        assert isinstance(match["score"], float) and 0 <= match["score"] <= 100
    assert reply["matches"][0] == {"id": "velayati-brics-sco", "kind": "statement",
                                   "speaker": "velayati", "score": reply["matches"][0]["score"],
                                   "article": "russia-iran-partners"}


def test_ask_json_reads_one_question_per_stdin_line(capsys: pytest.CaptureFixture[str]) -> None:
    questions = ["who is sanaei", "", "\U0001f642 what did velayati say about brics \U0001f642",
                 "what is the weather in Paris"]
    code, out, err = run(capsys, "ask", "--json", stdin="\n".join(questions[:3]) + "\r\n"
                         + questions[3] + "\n")
    assert (code, err) == (0, "")
    replies = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in replies] == questions
    assert [r["status"] for r in replies] == ["answer", "no_answer", "answer", "no_answer"]
    assert replies[0]["matches"][0]["id"] == "sanaei"
    assert replies[1]["matches"] == []
    assert replies[2]["matches"][0]["id"] == "velayati-brics-sco"
    assert "\U0001f642" in out  # written as UTF-8, not as \ud83d escapes


def test_ask_without_a_question_or_json_is_a_usage_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "ask")
    assert code == 2
    assert out == ""
    assert err.startswith("article-bot: ask needs a QUESTION")
    assert len(err.splitlines()) == 1


def test_ask_with_a_broken_knowledge_base(capsys: pytest.CaptureFixture[str],
                                          tiny_knowledge: Path) -> None:
    folder, line = broken_copy(tiny_knowledge)
    code, out, err = run(capsys, "ask", "--knowledge", str(folder), "who is bob")
    assert code == 2 and out == ""
    first, *problems = err.splitlines()
    assert first == "article-bot: the knowledge base is invalid:"
    assert problems == [(f"tiny.yaml:{line}: error: statement 'bob-sanctions': "
                         "unknown speaker 'nobody'")]
    assert "Traceback" not in err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 2
    assert "usage: article-bot" in out


# ============================================================================ check


def test_check_real_knowledge_base(capsys: pytest.CaptureFixture[str],
                                   real_kb: KnowledgeBase) -> None:
    code, out, err = run(capsys, "check", str(REAL_KNOWLEDGE))
    assert (code, err) == (0, "")
    assert out.startswith(f"{REAL_KNOWLEDGE}: OK")
    assert f"{len(real_kb.statements)} statements" in out and "0 warning(s)" in out


def test_check_defaults_to_knowledge_path(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check")
    assert code == 0 and "OK" in out


def test_check_broken_knowledge_base(capsys: pytest.CaptureFixture[str],
                                     tiny_knowledge: Path) -> None:
    folder, line = broken_copy(tiny_knowledge)
    code, out, err = run(capsys, "check", str(folder))
    assert code == 1 and out == ""
    problem, summary = err.splitlines()
    assert problem == (f"tiny.yaml:{line}: error: statement 'bob-sanctions': "
                       "unknown speaker 'nobody'")
    assert summary == f"{folder}: 1 error(s), 0 warning(s): not loadable"


def test_check_with_warnings_exits_0_unless_strict(capsys: pytest.CaptureFixture[str],
                                                   tiny_knowledge: Path) -> None:
    # Carol attends but says nothing and no fact names her: a "never referenced" warning.
    code, out, err = run(capsys, "check", str(tiny_knowledge))
    assert (code, err) == (0, "")
    *warnings, summary = out.splitlines()
    assert warnings and all(PROBLEM_LINE.match(w) and ": warning: " in w for w in warnings)
    assert any("person 'carol': never referenced" in w for w in warnings)
    assert f"; {len(warnings)} warning(s)" in summary
    code, _, _ = run(capsys, "check", "--strict", str(tiny_knowledge))
    assert code == 1


def test_check_missing_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(tmp_path / "nowhere"))
    assert code == 1
    assert err.splitlines()[0] == f"{tmp_path / 'nowhere'}:0: error: no such file or folder"


# ============================================================================ eval

EVAL_FILE = """\
- {question: what did velayati say about brics, kind: speaker_topic, expect: velayati-brics-sco,
   speaker: velayati}
- {question: where was the round table held, kind: fact, expect: event-place}
- {question: who is sanaei, kind: who_is, expect: sanaei}
- {question: what is the weather in paris, kind: out_of_scope, expect: no_answer}
"""
# Deliberately mislabelled: the question names Velayati, the label says Sanaei's words.
MISATTRIBUTED = ("- {question: what did velayati say about brics, kind: misattribution,\n"
                 "   expect: sanaei-russia-priority, speaker: sanaei}\n")


@pytest.fixture
def eval_file(tmp_path: Path) -> Path:
    """A small evaluation file the engine answers fully."""
    path = tmp_path / "eval.yaml"
    path.write_text(EVAL_FILE, encoding="utf-8")
    return path


def table(out: str) -> dict[str, tuple[int, int, str]]:
    """The eval table's rows: kind -> (correct, total, accuracy)."""
    rows = {}
    for line in out.splitlines():
        match = re.fullmatch(r"(\S+)\s+(\d+)\s+(\d+)\s+([\d.]+%)", line)
        if match:
            rows[match[1]] = (int(match[2]), int(match[3]), match[4])
    return rows


def test_eval_prints_a_table(capsys: pytest.CaptureFixture[str], eval_file: Path) -> None:
    code, out, err = run(capsys, "eval", str(eval_file))
    assert (code, err) == (0, "")
    assert out.splitlines()[0].split() == ["kind", "correct", "total", "accuracy"]
    assert table(out) == {"fact": (1, 1, "100.0%"), "out_of_scope": (1, 1, "100.0%"),
                          "speaker_topic": (1, 1, "100.0%"), "who_is": (1, 1, "100.0%"),
                          "overall": (4, 4, "100.0%")}
    assert "out-of-scope declined: 1/1 (100.0%)" in out
    assert "misattributions: 0" in out and "failures" not in out


def test_eval_min_above_the_accuracy_fails(capsys: pytest.CaptureFixture[str],
                                           eval_file: Path) -> None:
    assert run(capsys, "eval", str(eval_file), "--min", "100")[0] == 0
    code, out, err = run(capsys, "eval", str(eval_file), "--min", "101")
    assert code == 1
    assert "overall" in out
    assert err == "FAILED: accuracy 100.0% (minimum 101.0%), 0 misattribution(s)\n"


def test_eval_counts_misattributions(capsys: pytest.CaptureFixture[str], eval_file: Path) -> None:
    eval_file.write_text(EVAL_FILE + MISATTRIBUTED, encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(eval_file))
    assert code == 0  # without --min, an evaluation only reports
    assert table(out)["overall"] == (4, 5, "80.0%")
    assert table(out)["misattribution"] == (0, 1, "0.0%")
    assert ("misattributions: 1\n"
            "  'what did velayati say about brics': showed velayati-brics-sco (velayati)") in out
    assert "failures (1):" in out
    # With --min, any misattribution fails, even at a low accuracy bar...
    code, _, err = run(capsys, "eval", str(eval_file), "--min", "50")
    assert code == 1 and "1 misattribution(s)" in err
    # ...unless explicitly allowed.
    assert run(capsys, "eval", str(eval_file), "--min", "50", "--max-misattributions", "1")[0] == 0


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read"),
    ("{question: not a list}\n", "expected a list of questions"),
    ("- {question: hi, expect: 42}\n", "item 1: 'expect' must be"),
    ("- {expect: sanaei}\n", "item 1: needs a 'question' string"),
])
def test_eval_file_errors_are_one_clean_line(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                             content: str | None, message: str) -> None:
    path = tmp_path / "eval.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "eval", str(path))
    assert code == 2 and out == ""
    assert err.startswith(f"article-bot: {path}: ") and message in err
    assert "Traceback" not in err


# ============================================================================ run


def test_run_without_token_and_without_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "run")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("article-bot: TELEGRAM_BOT_TOKEN is not set and there is no terminal")


@pytest.mark.parametrize("where", ["environment", ".env"])
def test_run_with_a_malformed_token(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    bad = "12345:SECRET but with a space"
    if where == "environment":
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", bad)
    else:
        (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={bad}\n", encoding="utf-8")
    code, out, err = run(capsys, "run")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("article-bot: TELEGRAM_BOT_TOKEN: ")
    assert "SECRET" not in err and bad not in err
    assert "Traceback" not in err


def test_run_with_another_bad_setting_names_it(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_PORT", "99999")
    code, _, err = run(capsys, "run")
    assert code == 2
    assert err == "article-bot: WEBHOOK_PORT: must be an integer port between 1 and 65535\n"
    assert TOKEN not in err


# ============================================================================ chat


def test_chat_answers_piped_questions_and_picks_suggestions(
        capsys: pytest.CaptureFixture[str], real_kb: KnowledgeBase) -> None:
    questions = "1\nwhat did velayati say about brics\nwho is sanaei\n"
    code, out, err = run(capsys, "chat", stdin=questions)
    assert (code, err) == (0, "")
    title = "\u201cRussia and Iran are natural and close partners\u201d"
    assert out.startswith(f"Ask me about {title}")
    assert "Try: What did Velayati say about Iraq?" in out
    # "1" picked the first suggestion offered, and it was answered.
    assert "\n(What did Velayati say about Iraq?)\n" in out
    assert real_kb.statement("velayati-energy-market").text in out
    assert real_kb.statement("velayati-brics-sco").text in out
    assert "Mehdi Sanaei\nIranian Ambassador to Russia" in out
    assert "> " not in out  # no prompts when stdin is not a terminal


def test_chat_stops_at_quit(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chat", stdin="who is sanaei\nquit\nwho is velayati\n")
    assert code == 0
    assert "Mehdi Sanaei" in out and "Ali Akbar Velayati\n" not in out


def test_chat_out_of_range_number_says_which_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "chat", stdin="99\n")
    assert code == 0
    assert not [line for line in out.splitlines() if line.startswith("(")]  # nothing picked
    assert out.strip().splitlines()[-1] == "Type a number from 1 to 3 to ask one of these."


@pytest.mark.parametrize("command", ["help", "/help", "?"])
def test_chat_help_is_not_a_question(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run(capsys, "chat", stdin=f"{command}\n")
    assert code == 0
    assert "follow-ups" in out.strip().splitlines()[-1] and "does not" not in out


def test_chat_follows_up(capsys: pytest.CaptureFixture[str], real_kb: KnowledgeBase) -> None:
    code, out, _ = run(capsys, "chat", stdin="what did velayati say about brics\nwho is he?\n")
    assert code == 0
    assert "Ali Akbar Velayati\nPresident of the Iranian Center" in out


# ============================================================================ unanswered, stats


def test_unanswered_and_stats_without_a_log(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "data" / "none.sqlite3"
    monkeypatch.setenv("DATA_PATH", str(missing))
    for command in ("unanswered", "stats"):
        code, out, err = run(capsys, command)
        assert code == 1 and out == ""
        assert err == (f"article-bot: no question log yet at {missing} (DATA_PATH): the "
                       "Telegram bot writes it as people ask; the offline chat and ask do not\n")
    assert not missing.exists()  # reading commands never create the log


@pytest.fixture
def question_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A question log with a few answered and unanswered questions; DATA_PATH points at it."""
    path = tmp_path / "questions.sqlite3"
    def at(minute: int) -> datetime:
        return datetime(2026, 11, 20, 12, minute, tzinfo=UTC)

    with QuestionLog(path) as log:
        log.record(question="what did velayati say about brics", status="answer", user_id=1,
                   people=["velayati"], topics=["brics"], at=at(0))
        log.record(question="velayati on sanctions", status="answer", user_id=2,
                   people=["velayati"], topics=["sanctions"], at=at(1))
        log.record(question="what did they say", status="clarify", user_id=2, at=at(2))
        log.record(question="what about the weather", status="no_answer", user_id=1, at=at(3))
        log.record(question="What about the weather?", status="no_answer", user_id=3, at=at(4))
    monkeypatch.setenv("DATA_PATH", str(path))
    return path


def test_unanswered_prints_groups(capsys: pytest.CaptureFixture[str], question_log: Path) -> None:
    code, out, err = run(capsys, "unanswered")
    assert (code, err) == (0, "")
    groups = re.compile(r"^\s*(\d+)\u00d7\s+(.+?)\s+\((\w+); last ", re.MULTILINE)
    assert groups.findall(out) == [("2", "What about the weather?", "no_answer"),
                                   ("1", "what did they say", "clarify")]
    assert "velayati" not in out.lower()


def test_stats_prints_counts_and_names(capsys: pytest.CaptureFixture[str],
                                       question_log: Path) -> None:
    code, out, err = run(capsys, "stats")
    assert (code, err) == (0, "")
    assert "Questions (all time): 5" in out
    assert re.search(r"answered:\s+40%\s+\(2\)", out), out
    assert "Distinct users: 3" in out
    assert "Most asked people: Ali Akbar Velayati (2)" in out
    assert "BRICS (1)" in out


def test_stats_since_is_validated(capsys: pytest.CaptureFixture[str], question_log: Path) -> None:
    code, _, err = run(capsys, "stats", "--since", "last tuesday")
    assert code == 2
    assert err.startswith("article-bot: --since: cannot read 'last tuesday'")
    code, out, _ = run(capsys, "stats", "--since", "2099-01-01")
    assert code == 0 and out.startswith("No questions yet (since")


# ======================================================================= smoke: real processes


def test_installed_console_script_runs(tmp_path: Path) -> None:
    script = shutil.which("article-bot", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the article-bot console script is not installed in this environment")
    env = {"PATH": str(Path(sys.executable).parent), "KNOWLEDGE_PATH": str(REAL_KNOWLEDGE)}
    done = subprocess.run([script, "ask", "--json", "who is sanaei"], capture_output=True,
                          text=True, encoding="utf-8", cwd=tmp_path, env=env, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["matches"][0]["id"] == "sanaei"


def test_a_reader_that_leaves_early_is_no_error(tmp_path: Path) -> None:
    """``article-bot ask --json < questions | head -1``: no BrokenPipeError traceback."""
    env = {**os.environ, "KNOWLEDGE_PATH": str(REAL_KNOWLEDGE)}
    questions = "\n".join(["who is sanaei"] * 400) + "\n"
    process = subprocess.Popen([sys.executable, "-m", "bot", "ask", "--json"], cwd=tmp_path,
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(questions.encode())
    process.stdin.close()
    first = process.stdout.readline()
    process.stdout.close()  # the reader leaves after one line, as head does
    process.wait(timeout=60)
    assert process.stderr is not None
    err = process.stderr.read()
    process.stderr.close()
    assert json.loads(first)["matches"][0]["id"] == "sanaei"
    assert process.returncode == 0 and b"Traceback" not in err, err


def test_python_dash_m_bot_help(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bot", "--help"], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: article-bot")
    for command in ("ask", "chat", "check", "eval", "run", "unanswered", "stats"):
        assert command in done.stdout


CONVERSATIONS = """\
article: russia-iran-partners
conversations:
  - turns:
      - {question: "what did velayati say about brics?", kind: plain, type: what_said,
         speaker: Ali Akbar Velayati, quote: "strengthen the BRICS and the SCO"}
      - {question: "who is he?", kind: plain, type: who_is, speaker: Ali Akbar Velayati}
  - turns:
      - {question: "who is he?", kind: plain, type: who_is, speaker: Ali Akbar Velayati}
  - article: another-article
    turns:
      - {question: "who is he?", kind: plain, type: who_is, speaker: Somebody Else}
"""


def test_eval_plays_conversations_turn_by_turn(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    path = tmp_path / "conversations.yaml"
    path.write_text(CONVERSATIONS, encoding="utf-8")
    code, out, err = run(capsys, "eval", str(path))
    assert (code, err) == (0, "")
    # the follow-up is right only in context: alone, "who is he?" has no one to refer to
    assert "(1 of 3 conversations are about articles this knowledge base does not hold" in out
    assert "conversations right in every turn: 1/2" in out
    assert table(out)["overall"] == (2, 3, "66.7%")
