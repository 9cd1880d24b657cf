"""One typed settings object (environment prefix ``PHYTOWATCH_``), built by a factory."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything a phytowatch process can be told. Documented in docs/operations.md."""

    model_config = SettingsConfigDict(env_prefix="PHYTOWATCH_", extra="ignore")

    database_url: str = Field(
        "sqlite:///phytowatch.db",
        description="SQLAlchemy URL: sqlite:///FILE (embedded default) or "
        "postgresql+psycopg://USER@HOST/DB",
    )
    host: str = Field("127.0.0.1", description="address the API listens on")
    port: int = Field(8000, description="port the API listens on")
    max_body_bytes: int = Field(4_000_000, description="largest ingest body accepted (413 above)")
    max_json_body_bytes: int = Field(
        65_536, description="largest JSON body of the API's other requests accepted (413 above)"
    )
    max_readings_per_batch: int = Field(
        50_000, description="most readings in one batch (413 above)"
    )
    max_snapshot_bytes: int = Field(
        5_000_000, description="largest camera still accepted (413 above)"
    )
    write_queue: int = Field(
        256, description="batches waiting to be written before devices get 503 + Retry-After"
    )
    write_workers: int = Field(4, description="PostgreSQL writer connections (SQLite: always one)")
    future_tolerance_s: int = Field(
        300, description="a reading time further ahead of the server clock than this is rejected"
    )
    admin_token: SecretStr | None = Field(
        None,
        description="bearer token of the provisioning API (/api/v1/admin); unset: that API is off",
    )
    password_hash_cost: int = Field(
        15,
        description="scrypt cost of new password hashes, as log2 N (10 to 20; each step doubles "
        "the time and memory); the test suite lowers it, production keeps 15 or more",
    )
    session_ttl_s: int = Field(43200, description="a session ends this long after its login")
    session_idle_s: int = Field(7200, description="a session unused this long ends")
    cookie_secure: bool = Field(
        True,
        description="session cookie sent over HTTPS only; false for a plain-http local demo",
    )
    mqtt_host: str = Field("127.0.0.1", description="MQTT broker host")
    mqtt_port: int = Field(1883, description="MQTT broker port")
    mqtt_username: str | None = Field(None, description="phytowatch's own broker login")
    mqtt_password: str | None = Field(None, description="phytowatch's own broker password")
    mqtt_share_group: str = Field(
        "",
        description="empty (the default): one worker on a plain persistent subscription, which "
        "survives a broker restart; a group name: workers split the load on a shared "
        "subscription, which Mosquitto 2.0 does not keep across its restart "
        "(see docs/mqtt-broker.md)",
    )
    webhook_url: str | None = Field(
        None, description="where webhook notifications are POSTed (a rule's to overrides it)"
    )
    webhook_secret: SecretStr | None = Field(
        None, description="shared secret the webhook body is signed with (HMAC-SHA256)"
    )
    smtp_host: str | None = Field(None, description="SMTP server for e-mail notifications")
    smtp_port: int = Field(587, description="SMTP server port")
    smtp_user: str | None = Field(None, description="SMTP login; unset: no login")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_starttls: bool = Field(True, description="upgrade the SMTP connection with STARTTLS")
    mail_from: str | None = Field(None, description="sender address of notification e-mails")
    notify_rules: str = Field(
        "",
        description="notification rules, a JSON list: [{channel, to, min_severity, facilities, "
        "kinds}] (see docs/notifications.md); empty: no notifications",
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="the address the public reaches phytowatch at: certificates' QR codes and "
        "printed verification links point under it (/verify/...)",
    )
    verify_rate_per_minute: int = Field(
        30,
        ge=1,
        description="public verification look-ups one client address may make per minute "
        "(per process; 429 with Retry-After above)",
    )
    signing_passphrase: SecretStr | None = Field(
        None,
        description="encrypts the offices' private signing keys stored in the database; unset: "
        "they are stored unencrypted (a demo; a bureau sets it, see docs/certificates.md)",
    )
    receivers: str = Field(
        "",
        description="the outbox's receivers, NAME=URL pairs separated by commas (NAME as the "
        "ports policy's receiver); a destination without one waits (docs/outbox.md)",
    )
    receiver_secrets: SecretStr | None = Field(
        None,
        description="each receiver's shared secret its bodies are signed with (HMAC-SHA256), "
        "NAME=SECRET pairs separated by commas; every receiver needs one",
    )
    outbox_backoff_cap_s: int = Field(
        300, ge=1, description="the longest wait between two delivery attempts of a message"
    )
    outbox_flag_after_s: int = Field(
        900, ge=1, description="a message failing this long is flagged for the administrator"
    )
    outbox_lease_s: int = Field(
        60, ge=1, description="how long a worker's claim holds a message before another may take it"
    )
    outbox_batch: int = Field(
        100, ge=1, le=10_000, description="messages a worker claims at a time"
    )
    outbox_in_serve: bool = Field(
        True, description="phytowatch serve also runs the outbox's delivery in a thread"
    )


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (CLI options) on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
