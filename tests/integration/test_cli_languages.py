"""Every command's own lines come from the one catalogue: a Chinese reader (``LC_ALL=zh_CN``)
reads what accounts, alarms, the registry, runs, the database options, demo, serve, ingest-mqtt
and simulate say in Chinese, with no English word left but the names, codes and values given;
the English lines stay as they were."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from accountsworld import PASSWORD, World
from typer.testing import CliRunner, Result

from phytowatch.cli.app import app

pytestmark = pytest.mark.integration

ZH, EN = "zh_CN.UTF-8", "C"


def _english_words(text: str, *allowed: str) -> set[str]:
    """The English words of ``text`` (three letters or more) outside the names, codes and values
    given: what a Chinese reader would still read in English."""
    for given in sorted(allowed, key=len, reverse=True):  # the longest first
        text = text.replace(given, "")
    return set(re.findall(r"[A-Za-z]{3,}", text))


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``cli(locale, *argv, input=...)``: the entry point in-process under that locale."""

    def invoke(locale: str, *argv: str, input: str | None = None) -> Result:
        monkeypatch.setenv("LC_ALL", locale)
        return CliRunner().invoke(app, list(argv), input=input)

    yield invoke


def test_what_the_commands_on_a_database_say_is_chinese_under_a_chinese_locale(
    world: World, cli: Any
) -> None:
    db = ["--database-url", world.services.settings.database_url]
    k1, k2 = world.objects["K1"], world.objects["K2"]
    # (argv, stdin, exit code, what the Chinese line says, what may stay as given)
    cases: list[tuple[list[str], str | None, int, str, tuple[str, ...]]] = [
        # accounts
        (
            ["users", "passwd", "certifier", "--password-stdin"],
            PASSWORD + " again\n",
            0,
            "已设置 certifier 的密码；其所有会话均已结束",
            ("certifier",),
        ),
        (
            ["users", "set-role", "port", "port_officer", "--office", "NC"],
            None,
            0,
            "已更改用户：port\tport_officer\tNC\t启用\tPort",
            (
                "port_officer",
                "Port",
                "port",
            ),  # the listing's own columns, as `users list`
        ),
        (
            ["tokens", "issue", "admin", "--name", "x", "--expires-days", "0"],
            None,
            2,
            "phytowatch: --expires-days：应为 1 至 3650",
            ("phytowatch", "--expires-days"),
        ),
        (
            ["runs", "signoff", str(k1.pass_run), "--as", "inspector", "--password-stdin"],
            PASSWORD + "\n",
            0,
            f"处理批次 {k1.pass_run}：已由 inspector 签核\n可作为出证依据：是（",
            ("inspector",),
        ),
        # alarms
        (
            [
                "alarms",
                "ack",
                str(k1.alarm),
                "--by",
                "李伟",
                "--comment",
                "门已关好，装载已复查完毕",
            ],
            None,
            0,
            "已由 李伟 确认",
            (),
        ),
        (
            [
                "alarms",
                "clear",
                str(k1.alarm),
                "--by",
                "李伟",
                "--comment",
                "保持时间已重新计时完成",
            ],
            None,
            0,
            "已由 李伟 消除",
            (),
        ),
        # the registry
        (["db", "upgrade"], None, 0, "数据库结构版本：", ()),
        (
            [
                "enterprises",
                "add",
                "0031",
                "--name-zh",
                "赣州木业",
                "--name-en",
                "Ganzhou Wood",
                "--city",
                "赣州",
                "--grade",
                "II",
            ],
            None,
            0,
            "已登记企业 0031：赣州木业 / Ganzhou Wood，赣州",
            ("Ganzhou Wood",),
        ),
        (
            ["facilities", "token", "K2"],
            None,
            2,
            "请指定 --rotate 或 --revoke",
            ("phytowatch", "--rotate", "--revoke"),
        ),
        (["facilities", "token", "K2", "--revoke"], None, 0, "处理设施 K2：已吊销 ", ()),
        (
            [
                "probes",
                "calibrate",
                "K1",
                "C1",
                "--offset",
                "0.1",
                "--calibrated",
                "2026-13-01",
                "--due",
                "2027-03-01",
            ],
            None,
            2,
            "--calibrated '2026-13-01'：不是日期（请写日期，例如 2026-03-01）",
            ("phytowatch", "--calibrated"),
        ),
        (["cameras", "add", "K1", "door"], None, 0, "已为 K1 登记摄像头 door", ("door",)),
        # runs
        (["runs", "close", str(k2.open_run)], None, 0, f"处理批次 {k2.open_run} 已结束：", ()),
        (
            ["runs", "start", "K2", "--schedule", "ispm15-ht", "--load", "松木托盘"],
            None,
            0,
            "已在 K2 开始：ispm15-ht v",
            ("ispm15",),
        ),
    ]
    for argv, stdin, code, chinese, given in cases:
        said = cli(ZH, *argv, *db, input=stdin)
        assert said.exit_code == code, (argv, said.output)
        text = said.stdout + said.stderr
        assert chinese in text, (argv, text)
        verdicts = ("PASS", "FAIL", "INDETERMINATE", "GZ")  # codes beside their words
        assert _english_words(text, *given, *verdicts) == set(), (argv, text)

    export = cli(ZH, "runs", "export", str(k1.pass_run), *db)
    assert export.exit_code == 0
    command = f"phytowatch evaluate run-{k1.pass_run}.csv --schedule ispm15-ht"
    assert export.stderr.startswith(f"判定命令：{command}")
    assert _english_words(export.stderr, export.stderr.partition("：")[2]) == set()


def test_the_state_columns_of_the_lists_are_in_the_locales_language(world: World, cli: Any) -> None:
    db = ["--database-url", world.services.settings.database_url]
    for name, days in (("a", ["--expires-days", "30"]), ("b", []), ("c", [])):
        assert cli(EN, "tokens", "issue", "admin", "--name", name, *days, *db).exit_code == 0
    listed = cli(EN, "tokens", "list", "admin", *db).stdout.splitlines()
    revoked = listed[-1].split("\t")[0]
    assert cli(EN, "tokens", "revoke", "admin", revoked, *db).exit_code == 0

    def states(locale: str, *argv: str) -> list[str]:
        said = cli(locale, *argv, *db)
        assert said.exit_code == 0, (argv, said.output)
        return [line.split("\t")[column] for line in said.stdout.splitlines()]

    column = 3
    assert set(states(EN, "users", "list")) == {"active"}
    assert set(states(ZH, "users", "list")) == {"启用"}
    column = 4
    english = states(EN, "tokens", "list", "admin")[-3:]
    assert english[0].startswith("expires 20") and english[1:] == ["active", "revoked"]
    chinese = states(ZH, "tokens", "list", "admin")[-3:]
    assert chinese[0].endswith(" 到期") and chinese[0][:-3] == english[0][len("expires ") :]
    assert chinese[1:] == ["有效", "已吊销"]
    column = 2
    english = states(EN, "probes", "list", "K1")
    chinese = states(ZH, "probes", "list", "K1")
    assert len(english) == len(chinese) > 0
    for said, translated in zip(english, chinese, strict=True):
        if said == "no calibration recorded":
            assert translated == "无校准记录"
        else:
            assert said.startswith("offset ") and said.endswith(("(valid)", "(EXPIRED)"))
            assert translated.startswith("偏差 ") and translated.endswith(
                ("（有效）", "（已过期）")
            )
        assert _english_words(translated) == set(), translated


def test_the_english_lines_stay_as_they_were(world: World, cli: Any) -> None:
    db = ["--database-url", world.services.settings.database_url]
    k1, k2 = world.objects["K1"], world.objects["K2"]
    lines = [
        (
            ["alarms", "ack", str(k2.alarm), "--by", "li", "--comment", "door shut, load checked"],
            f"alarm {k2.alarm} acknowledged by li\n",
        ),
        (
            ["alarms", "clear", str(k2.alarm), "--by", "li", "--comment", "hold restarted in full"],
            f"alarm {k2.alarm} cleared by li\n",
        ),
        (["runs", "close", str(k1.open_run)], f"run {k1.open_run} closed: INDETERMINATE\n"),
        (["cameras", "add", "K2", "gate"], "camera gate added to K2\n"),
        (["facilities", "token", "K1", "--revoke"], "facility K1: 1 token(s) revoked\n"),
        (["users", "passwd", "port", "--password-stdin"], "password of port set; their sessions "
         "have ended, and they must change it at their next login\n"),
    ]  # fmt: skip
    for argv, line in lines:
        said = cli(EN, *argv, *db, input=PASSWORD + " anew\n")
        assert (said.exit_code, said.stdout) == (0, line), argv


# (argv, the English line on stderr, the Chinese, what may stay in it as given)
WITHOUT_A_DATABASE = [
    (
        ["enterprises", "list", "--database-url", "mysql://x@y/z"],
        "phytowatch: --database-url 'mysql://x@y/z': unsupported database 'mysql': use sqlite or "
        "postgresql (write sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)\n",
        "：不支持的数据库 'mysql'：请使用 sqlite 或 postgresql（请写成 sqlite:///FILE 或 "
        "postgresql+psycopg://USER@HOST/DB）",
        (
            "phytowatch",
            "--database-url 'mysql://x@y/z'",
            "sqlite:///FILE",
            "sqlite",
            "postgresql+psycopg://USER@HOST/DB",
            "postgresql",
            "mysql",
        ),
    ),
    (
        ["enterprises", "list", "--database-url", "not a url"],
        "phytowatch: --database-url (not a database URL): could not be read as a database URL "
        "(write sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)\n",
        "--database-url （不是数据库 URL）：无法作为数据库 URL 读取（请写成 sqlite:///FILE 或 ",
        # "URL" is the word Chinese uses too
        (
            "phytowatch",
            "--database-url",
            "sqlite:///FILE",
            "postgresql+psycopg://USER@HOST/DB",
            "URL",
        ),
    ),
    (
        ["demo", "--speed", "0"],
        "phytowatch demo: --speed and --port must be positive\n",
        "phytowatch demo: --speed 和 --port 必须为正数",
        ("phytowatch demo", "--speed", "--port"),
    ),
    (
        ["simulate", "--speed", "0"],
        "phytowatch simulate: --speed must be more than 0\n",
        "phytowatch simulate: --speed 必须大于 0",
        ("phytowatch simulate", "--speed"),
    ),
    (
        ["simulate", "--interval", "0"],
        "phytowatch simulate: --interval must be at least 1 s\n",
        "--interval 至少应为 1 s",
        ("phytowatch simulate", "--interval"),
    ),
    (
        ["simulate", "--facility", "K", "--token", "t", "--probe", "C1:product", "--mqtt", "x"],
        "phytowatch simulate: --mqtt 'x': write HOST:PORT, e.g. 127.0.0.1:1883\n",
        "请写成 HOST:PORT，例如 127.0.0.1:1883",
        ("phytowatch simulate", "--mqtt", "HOST:PORT"),
    ),
    (
        [
            "simulate",
            "--facility",
            "K",
            "--token",
            "t",
            "--probe",
            "C1:product",
            "--start",
            "nope",
        ],
        "phytowatch simulate: --start 'nope': not a time\n",
        "--start 'nope'：不是时间",
        ("phytowatch simulate", "--start", "nope"),
    ),
]


@pytest.mark.parametrize(
    ("argv", "english", "chinese", "given"),
    WITHOUT_A_DATABASE,
    ids=[" ".join(argv[:2]) for argv, _, _, _ in WITHOUT_A_DATABASE],
)
def test_an_option_error_is_one_line_in_the_locales_language(
    argv: list[str], english: str, chinese: str, given: tuple[str, ...], cli: Any
) -> None:
    said = cli(EN, *argv)
    assert (said.exit_code, said.stdout, said.stderr) == (2, "", english)
    said = cli(ZH, *argv)
    assert said.exit_code == 2 and said.stderr.count("\n") == 1
    assert chinese in said.stderr
    assert _english_words(said.stderr, *given) == set()


def test_the_tour_says_its_own_lines_in_chinese(cli: Any) -> None:
    said = cli(EN, "demo", "--tour", "--lang", "zh")
    assert said.exit_code == 0
    text = " ".join(said.stdout.split())  # the console wraps its lines
    assert "phytowatch 严格逐条地依据官方处理指标判定每一次处理。" in text
    assert "（退出码 1）" in text and "（退出码 0）" in text and "下一步：" in text
    assert "exit code" not in text and "Next:" not in text and "judges every" not in text
    english = " ".join(cli(EN, "demo", "--tour", "--lang", "en").stdout.split())
    assert "(exit code 1)" in english and "Next: `phytowatch schedules` lists every" in english


class _Worker:
    """The MQTT worker, standing in: it stops at once."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    async def run(self) -> None:
        return None

    def stop(self) -> None:
        pass


def _created(url: str) -> str:
    """The database, as ``db upgrade`` creates it: the other commands never create one."""
    from phytowatch.bootstrap import bootstrap
    from phytowatch.config import load_settings

    bootstrap(load_settings(database_url=url)).close()
    return url


def test_serve_and_ingest_mqtt_say_where_they_listen_in_the_locales_language(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from phytowatch.ingest import mqtt

    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    monkeypatch.setattr(mqtt, "MqttIngest", _Worker)
    url = _created(f"sqlite:///{tmp_path / 'x.db'}")
    serve = ["serve", "--database-url", url, "--port", "8765"]
    mqtt_ = ["ingest-mqtt", "--database-url", url, "--client-id", "w1"]
    assert (
        cli(EN, *serve).stderr == f"phytowatch serving on http://127.0.0.1:8765 (database {url})\n"
    )
    zh = cli(ZH, *serve).stderr
    assert zh == f"phytowatch 服务已启动：http://127.0.0.1:8765（数据库 {url}）\n"
    english = cli(EN, *mqtt_).stderr.splitlines()
    assert english[0].startswith("phytowatch ingest-mqtt w1 on ") and english[0].endswith(
        f" (database {url})"
    )
    assert english[1] == "phytowatch ingest-mqtt w1 stopped"
    chinese = cli(ZH, *mqtt_).stderr.splitlines()
    assert " 已连接 " in chinese[0] and chinese[1] == "phytowatch ingest-mqtt w1 已停止"
    assert _english_words("\n".join(chinese), "phytowatch ingest-mqtt", url, "localhost") == set()
