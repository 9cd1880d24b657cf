"""``phytowatch users …``, ``offices …``, ``tokens …`` and ``runs signoff``.

A password is never an argument (it would show in ``ps`` and the shell's history): it is asked
for twice on a terminal, or read as one line from stdin with ``--password-stdin``. Changes made
here are recorded in the audit trail as ``cli:<operating-system user>``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from phytowatch.cli.messages import default_lang, say, t
from phytowatch.cli.options import DatabaseOption, cli_context, open_services
from phytowatch.cli.output import fail, refused
from phytowatch.domain.messages import Code, Refused
from phytowatch.domain.messages import say as message

if TYPE_CHECKING:
    from phytowatch.domain.accounts import Principal
    from phytowatch.services.accounts import UserRecord
    from phytowatch.services.app import App

users_app = typer.Typer(
    help="People who log in, their roles and passwords. 用户、角色与密码。", no_args_is_help=True
)
offices_app = typer.Typer(
    help="Bureau offices and their jurisdiction (cities, enterprises). 分支机构及其辖区。",
    no_args_is_help=True,
)
tokens_app = typer.Typer(
    help="Personal API tokens for scripts (scoped by role, revocable). 个人 API 令牌。",
    no_args_is_help=True,
)

ROLE_HELP = (
    "enterprise_operator, enterprise_declarant, inspector, certifying_officer, port_officer "
    "or administrator"
)
MAX_EXPIRES_DAYS = 3650  # as over HTTP: ten years
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="read the password as one line from stdin (for scripts)"),
]


def _read_password(from_stdin: bool, *, confirm: bool, prompt: str = "Password") -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise fail(message(Code.CLI_PASSWORD_STDIN_EMPTY, option="--password-stdin"))
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise fail(message(Code.CLI_NO_TERMINAL, option="--password-stdin"))
    lang = default_lang()
    again = t("Repeat for confirmation", lang) if confirm else False
    password: str = typer.prompt(t(prompt, lang), hide_input=True, confirmation_prompt=again)
    return password


def _user_line(user: UserRecord) -> str:
    where = user.enterprise or user.office or "-"
    state = t("disabled" if user.disabled else "account_active", default_lang())
    return f"{user.login}\t{user.role.value}\t{where}\t{state}\t{user.name}"


def _call(function: object, *args: object, **kwargs: object) -> object:
    try:
        return function(*args, **kwargs)  # type: ignore[operator]
    except Refused as error:
        raise refused(error) from None


def signed_in_person(services: App, login: str, password: str) -> Principal:
    """The person a command acts as, by login and password (checked, counted and locked out
    like a login on the web): what a sign-off, a mark or a revocation from the CLI is done by."""
    from phytowatch.services import accounts

    user = _call(
        accounts.check_password,
        services.accounts,
        services.audit,
        login_name=login,
        password=password,
        address="cli",
        now=services.clock.now(),
        cost=services.settings.password_hash_cost,
    )
    assert isinstance(user, accounts.UserRecord)
    return accounts.principal_of(services.accounts, user)


@users_app.command("add")
def users_add(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help="e.g. li.wei (lower case)")],
    name: Annotated[str, typer.Option(metavar="TEXT", help="the person's name")],
    role: Annotated[str, typer.Option(metavar="ROLE", help=ROLE_HELP)],
    enterprise: Annotated[
        str | None, typer.Option(metavar="CODE", help="enterprise roles: the enterprise's code")
    ] = None,
    office: Annotated[
        str | None, typer.Option(metavar="CODE", help="bureau roles: the office's code")
    ] = None,
    password_stdin: PasswordStdin = False,
    database_url: DatabaseOption = None,
) -> None:
    """Add a user with a role (and an enterprise or an office). 添加用户。"""
    from phytowatch.services import accounts

    password = _read_password(password_stdin, confirm=True)
    with open_services(database_url) as services:
        user = _call(
            accounts.add_user,
            services.accounts,
            services.audit,
            ctx=cli_context(services),
            login=login,
            name=name,
            role=role,
            password=password,
            enterprise=enterprise,
            office=office,
            cost=services.settings.password_hash_cost,
        )
    typer.echo(say(message(Code.CLI_USER_ADDED, user=_user_line(user))))  # type: ignore[arg-type]


@users_app.command("list")
def users_list(database_url: DatabaseOption = None) -> None:
    """List the users: login, role, enterprise or office, state, name. 列出用户。"""
    with open_services(database_url) as services:
        for user in services.accounts.list_users():
            typer.echo(_user_line(user))


@users_app.command("set-role")
def users_set_role(
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    role: Annotated[str, typer.Argument(metavar="ROLE", help=ROLE_HELP)],
    enterprise: Annotated[str | None, typer.Option(metavar="CODE")] = None,
    office: Annotated[str | None, typer.Option(metavar="CODE")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Give a user another role; their sessions end. 更改用户角色。"""
    from phytowatch.services import accounts

    with open_services(database_url) as services:
        user = _call(
            accounts.set_role,
            services.accounts,
            services.audit,
            ctx=cli_context(services),
            login=login,
            role=role,
            enterprise=enterprise,
            office=office,
        )
    typer.echo(say(message(Code.CLI_USER_CHANGED, user=_user_line(user))))  # type: ignore[arg-type]


@users_app.command("disable")
def users_disable(
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    enable: Annotated[bool, typer.Option("--enable", help="enable the user again")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Disable a user: sessions end, tokens stop working (--enable undoes it). 停用用户。"""
    from phytowatch.services import accounts

    with open_services(database_url) as services:
        user = _call(
            accounts.set_disabled,
            services.accounts,
            services.audit,
            ctx=cli_context(services),
            login=login,
            disabled=not enable,
        )
    typer.echo(say(message(Code.CLI_USER_CHANGED, user=_user_line(user))))  # type: ignore[arg-type]


@users_app.command("passwd")
def users_passwd(
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    password_stdin: PasswordStdin = False,
    database_url: DatabaseOption = None,
) -> None:
    """Set a user's password; every session of the user ends. 重设密码。"""
    from phytowatch.services import accounts

    password = _read_password(password_stdin, confirm=True, prompt="New password")
    with open_services(database_url) as services:
        _call(
            accounts.reset_password,
            services.accounts,
            services.audit,
            ctx=cli_context(services),
            login=login,
            password=password,
            cost=services.settings.password_hash_cost,
        )
    typer.echo(say(message(Code.CLI_PASSWORD_SET, login=login)))


@offices_app.command("add")
def offices_add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="e.g. GZ (Ganzhou office)")],
    name: Annotated[str, typer.Option(metavar="TEXT", help="the office's name")],
    city: Annotated[
        list[str] | None, typer.Option(metavar="CITY", help="a city it covers (repeat)")
    ] = None,
    enterprise: Annotated[
        list[str] | None,
        typer.Option(metavar="CODE", help="an enterprise it covers, wherever it is (repeat)"),
    ] = None,
    everywhere: Annotated[
        bool, typer.Option("--everywhere", help="it covers every enterprise (provincial office)")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Add an office with its jurisdiction. 添加分支机构及其辖区。"""
    from phytowatch.services import accounts

    with open_services(database_url) as services:
        office = _call(
            accounts.add_office,
            services.accounts,
            services.audit,
            ctx=cli_context(services),
            code=code,
            name=name,
            cities=city or [],
            enterprises=enterprise or [],
            everywhere=everywhere,
        )
    typer.echo(say(message(Code.CLI_OFFICE_ADDED, office=_office_line(office))))


def _office_line(office: object) -> str:
    from phytowatch.domain.accounts import Office

    assert isinstance(office, Office)
    area = office.jurisdiction
    covers = "everywhere" if area.everywhere else ""
    covers += " ".join(sorted(area.cities))
    if area.enterprises:
        covers += " +" + ",".join(sorted(area.enterprises))
    return f"{office.code}\t{office.name}\t{covers.strip()}"


@offices_app.command("list")
def offices_list(database_url: DatabaseOption = None) -> None:
    """List the offices and what they cover. 列出分支机构。"""
    with open_services(database_url) as services:
        for office in services.accounts.list_offices():
            typer.echo(_office_line(office))


def _user(services: App, login: str) -> UserRecord:
    user = services.accounts.user_by_login(login.strip().lower())
    if user is None:
        raise fail(message(Code.NO_USER, login=login))
    return user


@tokens_app.command("issue")
def tokens_issue(
    login: Annotated[str, typer.Argument(metavar="LOGIN", help="the user the token acts for")],
    name: Annotated[str, typer.Option(metavar="TEXT", help="what the token is for")],
    scope: Annotated[
        list[str] | None,
        typer.Option(metavar="ACTION", help="narrow it to this action, e.g. runs:read (repeat)"),
    ] = None,
    expires_days: Annotated[
        int | None, typer.Option(metavar="DAYS", help="it stops working after DAYS days")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Issue a personal token; prints it ONCE, alone on stdout. 签发个人令牌。"""
    from phytowatch.domain.instants import US_PER_D
    from phytowatch.services import accounts

    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRES_DAYS:
        raise fail(
            message(Code.CLI_OPTION_RANGE, option="--expires-days", least=1, most=MAX_EXPIRES_DAYS)
        )
    with open_services(database_url) as services:
        ctx = cli_context(services)
        issued = _call(
            accounts.issue_token,
            services.accounts,
            services.audit,
            ctx=ctx,
            user=_user(services, login),
            name=name,
            scopes=scope or [],
            expires_at=None if expires_days is None else ctx.now + expires_days * US_PER_D,
        )
    assert isinstance(issued, accounts.IssuedUserToken)
    typer.echo(say(message(Code.CLI_TOKEN_ISSUED, token=issued.record.id, login=login)), err=True)
    sys.stdout.write(issued.token + "\n")


@tokens_app.command("list")
def tokens_list(
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    database_url: DatabaseOption = None,
) -> None:
    """List a user's tokens: id, hint, name, scope, state. 列出个人令牌。"""
    from phytowatch.domain.instants import format_instant

    lang = default_lang()
    with open_services(database_url) as services:
        for record in services.accounts.tokens_of(_user(services, login).id):
            scopes = "role" if record.scopes is None else ",".join(sorted(record.scopes))
            state = t("revoked" if record.revoked_at is not None else "token_active", lang)
            if record.revoked_at is None and record.expires_at is not None:
                date = format_instant(record.expires_at)[:10]
                state = say(message(Code.CLI_TOKEN_EXPIRES, date=date), lang)
            typer.echo(f"{record.id}\t{record.hint}…\t{record.name}\t{scopes}\t{state}")


@tokens_app.command("revoke")
def tokens_revoke(
    login: Annotated[str, typer.Argument(metavar="LOGIN")],
    token_id: Annotated[int, typer.Argument(metavar="ID", help="from tokens list")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke one of a user's tokens. 吊销个人令牌。"""
    from phytowatch.services import accounts

    with open_services(database_url) as services:
        _call(
            accounts.revoke_token,
            services.accounts,
            services.audit,
            ctx=cli_context(services),
            user=_user(services, login),
            token_id=token_id,
        )
    typer.echo(say(message(Code.CLI_TOKEN_REVOKED, token=token_id, login=login)))


def runs_signoff(
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="the run's number")],
    as_login: Annotated[
        str,
        typer.Option("--as", metavar="LOGIN", help="the inspector deciding (asked for a password)"),
    ],
    decision: Annotated[
        str, typer.Option(metavar="DECISION", help="signed_off or rejected")
    ] = "signed_off",
    comment: Annotated[
        str, typer.Option(metavar="TEXT", help="needed when the run has findings or notes")
    ] = "",
    password_stdin: PasswordStdin = False,
    database_url: DatabaseOption = None,
) -> None:
    """Sign off (or reject) a finished PASS run, as an inspector. 检验检疫官签核处理。"""
    from phytowatch.domain.signoff import Decision, SignOff
    from phytowatch.services import signoff
    from phytowatch.services.context import Context

    if not 1 <= run_id <= 2**31 - 1:  # runs are numbered in an INTEGER column
        raise fail(message(Code.NO_RUN, run=run_id))
    password = _read_password(password_stdin, confirm=False)
    with open_services(database_url) as services:
        inspector = signed_in_person(services, as_login, password)
        done = _call(
            signoff.sign_off,
            services.runs,
            services.accounts,
            services.audit,
            run_id,
            ctx=Context.of(inspector, services.clock),  # the inspector acts, not the operator
            decision=decision,
            comment=comment,
        )
        backing = signoff.run_backs_certificate(services.runs, services.accounts, run_id)
    assert isinstance(done, SignOff)
    lang = default_lang()
    rejected = done.decision is Decision.REJECTED
    decided = Code.CLI_RUN_REJECTED if rejected else Code.CLI_RUN_SIGNED_OFF
    typer.echo(say(message(decided, run=run_id, login=inspector.login or as_login), lang))
    backs = Code.CLI_BACKS_CERTIFICATE if backing.ok else Code.CLI_BACKS_NO_CERTIFICATE
    typer.echo(say(message(backs, reason=say(backing.reason, lang)), lang))
