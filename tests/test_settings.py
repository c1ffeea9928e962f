"""Settings: defaults, .env handling, precedence, validation and secret hygiene."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

TOKEN = "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"
SECRET = "wh-secret_0123456789abcdef"


def load(env: dict[str, str], env_file: Path | None = None) -> Settings:
    """Load settings from ``env`` only, or ``env`` plus an explicit ``env_file``."""
    return load_settings(env, env_file=env_file)


def test_token_fixture_has_botfather_shape() -> None:
    assert len(TOKEN.split(":")[1]) == 35


def test_defaults() -> None:
    settings = load({})
    assert settings == Settings(
        token=None,
        api_base_url="https://api.telegram.org/bot",
        admin_ids=frozenset(),
        knowledge_path=Path("knowledge"),
        data_path=Path("data/questions.sqlite3"),
        webhook_url=None,
        webhook_listen="127.0.0.1",
        webhook_port=8443,
        webhook_secret=None,
        log_level="INFO",
        inbox_path=Path("data/inbox.sqlite3"),
        inbox_max_age=86400.0,
        stop_timeout=8.0,
        inbox_max_depth=10_000,
        inbox_sync="NORMAL",
    )
    assert settings.mode == "polling"
    assert settings.webhook_path == ""
    assert settings.secrets == ()


def test_every_variable_read_and_trimmed() -> None:
    settings = load(
        {
            "TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n",
            "TELEGRAM_API_BASE_URL": " http://127.0.0.1:8081/bot ",
            "ADMIN_IDS": " 1, 2,3 ",
            "KNOWLEDGE_PATH": " kb ",
            "DATA_PATH": " /var/lib/bot/q.sqlite3 ",
            "WEBHOOK_URL": " https://bot.example.org/hook ",
            "WEBHOOK_LISTEN": " 0.0.0.0 ",
            "WEBHOOK_PORT": " 8080 ",
            "WEBHOOK_SECRET": f" {SECRET} ",
            "LOG_LEVEL": " debug ",
            "INBOX_PATH": " /var/spool/bot/inbox.db ",
            "INBOX_MAX_AGE": " 2d ",
            "STOP_TIMEOUT": " 2.5 ",
            "INBOX_SYNC": " Full ",
            "INBOX_MAX_DEPTH": " 500 ",
            "INDEX_CACHE_PATH": " /var/cache/bot ",
        }
    )
    assert settings.token == TOKEN
    assert settings.api_base_url == "http://127.0.0.1:8081/bot"
    assert settings.admin_ids == frozenset({1, 2, 3})
    assert settings.knowledge_path == Path("kb")
    assert settings.data_path == Path("/var/lib/bot/q.sqlite3")
    assert settings.webhook_url == "https://bot.example.org/hook"
    assert settings.webhook_listen == "0.0.0.0"
    assert settings.webhook_port == 8080
    assert settings.webhook_secret == SECRET
    assert settings.log_level == "DEBUG"
    assert settings.inbox_path == Path("/var/spool/bot/inbox.db")
    assert settings.inbox_max_age == 2 * 86400
    assert settings.stop_timeout == 2.5
    assert settings.inbox_sync == "FULL"
    assert settings.inbox_max_depth == 500
    assert settings.index_cache_path == Path("/var/cache/bot")
    assert settings.secrets == (TOKEN, SECRET)


def test_the_inbox_lives_beside_the_question_log_by_default() -> None:
    settings = load({"DATA_PATH": "/var/lib/bot/q.sqlite3"})
    assert settings.inbox_path == Path("/var/lib/bot/inbox.sqlite3")
    assert settings.index_cache_path == Path("/var/lib/bot/index-cache")


@pytest.mark.parametrize(("value", "seconds"), [
    ("90", 90.0), ("90s", 90.0), ("30m", 1800.0), ("24H", 86400.0), ("1.5h", 5400.0),
    ("2 d", 172800.0),
])
def test_durations(value: str, seconds: float) -> None:
    assert load({"INBOX_MAX_AGE": value}).inbox_max_age == seconds
    assert load({"STOP_TIMEOUT": value}).stop_timeout == seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://api.telegram.org/bot", "https://api.telegram.org/bot"),
        ("http://127.0.0.1:8081/bot/", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"),
        ("http://127.0.0.1:8081/", "http://127.0.0.1:8081/bot"),
        ("http://proxy.local/telegram/", "http://proxy.local/telegram/bot"),
        ("http://proxy.local/telegram/bot", "http://proxy.local/telegram/bot"),
        ("http://host/custom/bot{token}/x", "http://host/custom/bot{token}/x"),  # PTB template
    ],
)
def test_api_base_url_is_normalised_for_ptb(value: str, expected: str) -> None:
    # PTB appends "<token>/<method>" to base_url as it is: it must end in "/bot".
    assert load({"TELEGRAM_API_BASE_URL": value}).api_base_url == expected


def test_empty_strings_count_as_unset() -> None:
    keys = ["TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "WEBHOOK_URL", "WEBHOOK_PORT", "LOG_LEVEL"]
    settings = load({key: "  " for key in keys})
    assert settings == load({})


def test_env_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"# comment\nTELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS='7, 8'\nLOG_LEVEL=warning\n",
        encoding="utf-8",
    )
    settings = load({}, env_file)
    assert settings.token == TOKEN
    assert settings.admin_ids == frozenset({7, 8})
    assert settings.log_level == "WARNING"


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=ERROR\nKNOWLEDGE_PATH=from-file\n", encoding="utf-8")
    settings = load({"LOG_LEVEL": "DEBUG"}, env_file)
    assert settings.log_level == "DEBUG"
    assert settings.knowledge_path == Path("from-file")


def test_empty_environment_value_falls_back_to_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("LOG_LEVEL=ERROR\n", encoding="utf-8")
    assert load({"LOG_LEVEL": ""}, env_file).log_level == "ERROR"


def test_env_file_does_not_expand_variables(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("KNOWLEDGE_PATH=${HOME}/kb\n", encoding="utf-8")
    assert load({}, env_file).knowledge_path == Path("${HOME}/kb")


def test_missing_env_file_is_fine(tmp_path: Path) -> None:
    assert load({}, tmp_path / "absent.env") == load({})


def test_unreadable_env_file_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as excinfo:
        load({}, tmp_path)  # a directory
    assert excinfo.value.name == str(tmp_path)


def test_os_environ_used_by_default_and_not_mutated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("KNOWLEDGE_PATH", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "critical")
    monkeypatch.chdir(tmp_path)
    Path(".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nKNOWLEDGE_PATH=kb\n", encoding="utf-8")
    before = dict(os.environ)

    settings = load_settings()

    assert settings.log_level == "CRITICAL"
    assert settings.token == TOKEN
    assert settings.knowledge_path == Path("kb")
    assert dict(os.environ) == before
    assert "TELEGRAM_BOT_TOKEN" not in os.environ


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "bot123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"),
        ("TELEGRAM_BOT_TOKEN", "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ01234567!"),
        ("TELEGRAM_BOT_TOKEN", "١٢٣٤٥٦:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"),
        ("TELEGRAM_API_BASE_URL", "ftp://api.telegram.org/bot"),
        ("TELEGRAM_API_BASE_URL", "api.telegram.org/bot"),
        ("TELEGRAM_API_BASE_URL", "http://api.telegram.org:99999/bot"),
        ("ADMIN_IDS", "1, two, 3"),
        ("ADMIN_IDS", "1 2"),
        ("ADMIN_IDS", "-5"),
        ("ADMIN_IDS", "0"),
        ("ADMIN_IDS", "1_000"),
        ("WEBHOOK_URL", "bot.example.org/hook"),
        ("WEBHOOK_URL", "https:///hook"),
        ("WEBHOOK_URL", "wss://bot.example.org/hook"),
        ("WEBHOOK_PORT", "0"),
        ("WEBHOOK_PORT", "65536"),
        ("WEBHOOK_PORT", "http"),
        ("WEBHOOK_SECRET", "has space"),
        ("WEBHOOK_SECRET", "bad!char"),
        ("WEBHOOK_SECRET", "x" * 257),
        ("LOG_LEVEL", "verbose"),
        ("LOG_LEVEL", "10"),
        ("INBOX_MAX_AGE", "1 week"),
        ("INBOX_MAX_AGE", "59s"),  # under a minute: every restart would drop the backlog
        ("INBOX_MAX_AGE", "-3h"),
        ("STOP_TIMEOUT", "soon"),
        ("STOP_TIMEOUT", "-1"),
        ("INBOX_SYNC", "always"),
        ("INBOX_MAX_DEPTH", "0"),
        ("INBOX_MAX_DEPTH", "lots"),
    ],
)
def test_invalid_values_raise_settings_error_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as excinfo:
        load({name: value})
    error = excinfo.value
    assert error.name == name
    assert str(error).startswith(f"{name}: ")
    assert "\n" not in str(error)
    assert value not in str(error)


def test_an_unusual_token_warns_and_a_broken_one_is_refused() -> None:
    """Emulators use tokens such as "123:ABC": only the server can say; spaces never work."""
    settings = load({"TELEGRAM_BOT_TOKEN": "123:ABC"})
    assert settings.token == "123:ABC"
    assert len(settings.warnings) == 1 and "ABC" not in settings.warnings[0]
    assert settings.warnings[0].startswith("TELEGRAM_BOT_TOKEN: shorter than a token")
    assert load({"TELEGRAM_BOT_TOKEN": "123456789:" + "A" * 35}).warnings == ()
    for broken in ("123 456:ABC", "no-colon", "123:AB/C"):
        with pytest.raises(SettingsError) as excinfo:
            load({"TELEGRAM_BOT_TOKEN": broken})
        assert str(excinfo.value).startswith("TELEGRAM_BOT_TOKEN: is not a bot token")
        assert broken not in str(excinfo.value)


def test_invalid_webhook_url_does_not_echo_an_embedded_token() -> None:
    with pytest.raises(SettingsError) as excinfo:
        load({"WEBHOOK_URL": f"bot{TOKEN}/hook"})
    assert TOKEN not in str(excinfo.value)
    assert TOKEN.split(":")[1] not in str(excinfo.value)


def test_secret_boundaries_accepted() -> None:
    assert load({"WEBHOOK_SECRET": "a"}).webhook_secret == "a"
    assert load({"WEBHOOK_SECRET": "A-z_9" * 51 + "x"}).webhook_secret == "A-z_9" * 51 + "x"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", {42}),
        ("1, 2,3", {1, 2, 3}),
        ("1,2,", {1, 2}),
        ("5,5", {5}),
        (" ", set()),
    ],
)
def test_admin_ids_parsing(value: str, expected: set[int]) -> None:
    admin_ids = load({"ADMIN_IDS": value}).admin_ids
    assert isinstance(admin_ids, frozenset)
    assert admin_ids == expected


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("https://bot.example.org", ""),
        ("https://bot.example.org/", ""),
        ("https://bot.example.org/hook", "hook"),
        ("https://bot.example.org/a/b/", "a/b"),
        ("http://127.0.0.1:8443/telegram?x=1", "telegram"),
    ],
)
def test_webhook_mode_and_path(url: str, path: str) -> None:
    settings = load({"WEBHOOK_URL": url})
    assert settings.mode == "webhook"
    assert settings.webhook_path == path


def test_require_token() -> None:
    assert load({"TELEGRAM_BOT_TOKEN": TOKEN}).require_token() == TOKEN
    with pytest.raises(SettingsError) as excinfo:
        load({}).require_token()
    assert excinfo.value.name == "TELEGRAM_BOT_TOKEN"
    assert str(excinfo.value) == (
        "TELEGRAM_BOT_TOKEN: not set (put it in the environment or .env)"
    )


def test_repr_hides_token_and_webhook_secret() -> None:
    settings = load({"TELEGRAM_BOT_TOKEN": TOKEN, "WEBHOOK_SECRET": SECRET})
    text = repr(settings)
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
    assert SECRET not in text
    assert "token='<hidden>'" in text
    assert "webhook_secret='<hidden>'" in text
    assert "log_level='INFO'" in text
    assert str(settings) == text
    assert "webhook_secret=None" in repr(load({}))


def test_settings_are_frozen() -> None:
    settings = load({})
    with pytest.raises(AttributeError):
        settings.log_level = "DEBUG"  # type: ignore[misc]


def test_webhook_settings_telegram_would_refuse_or_that_are_unsafe_warn() -> None:
    local = load({"WEBHOOK_URL": "http://127.0.0.1:9000/hook"})
    assert [w.split(":")[0] for w in local.warnings] == ["WEBHOOK_URL", "WEBHOOK_SECRET"]
    good = load({"WEBHOOK_URL": "https://bot.example.org/hook", "WEBHOOK_SECRET": "s3cret_x"})
    assert good.warnings == ()
    odd_port = load({"WEBHOOK_URL": "https://bot.example.org:8080/hook",
                     "WEBHOOK_SECRET": "s3cret_x"})
    assert len(odd_port.warnings) == 1 and "8443" in odd_port.warnings[0]
    assert "s3cret_x" not in " ".join(odd_port.warnings)
