"""The one settings class. Outside development it refuses to start with insecure defaults."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chain.devkeys import DEV_KEYS, OFFICE_DEV_KEY, RELAYER_DEV_KEY
from chain.errors import LedgerError

# Public development values, refused outside development and test like the development keys.
DEV_AUTH_SECRET = "putuo-ledger-development-auth-secret-not-secret"
DEV_PLATFORM_CREDENTIAL = "putuo-ledger-development-platform-credential"
MIN_SECRET_CHARS = 32
TOKEN_PREFIX = "pt1."  # api/auth/tokens.PREFIX: a platform credential must not look like a token
SHANGHAI = ZoneInfo("Asia/Shanghai")  # a LEDGER_CHAIN_START without an offset is a Shanghai time


class InsecureSettingsError(LedgerError, ValueError):
    """Raised when a non-development environment would start with a development default."""


WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "[::]"})  # listen on every address


class Settings(BaseSettings):
    """Read from LEDGER_* environment variables (or a .env file)."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".ledger")
    database_url: str | None = None  # default: SQLite in data_dir
    # SQLite only (api/runtime.make_engine): NORMAL survives a crash of the process, not a power
    # loss; FULL survives both, an fsync per commit.
    sqlite_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    rpc_url: str = "http://127.0.0.1:8545"
    # Several nodes of one chain (the validators' nodes), comma-separated, tried in this order when
    # the one in use stops answering (chain/failover.py). When set, its first URL is `rpc_url`.
    rpc_urls: Annotated[list[str], NoDecode] = []
    node: Literal["anvil", "hardhat", "external"] = "anvil"
    relayer_key: SecretStr = SecretStr(RELAYER_DEV_KEY)
    office_key: SecretStr = SecretStr(OFFICE_DEV_KEY)
    # A new local chain's genesis time (ISO 8601, e.g. 2027-01-05T09:00:00+08:00, or unix seconds):
    # to try the system at another date. Read only when `ledger up`/`node start` starts a new chain.
    chain_start: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Blocks the mirror stays behind the head before it takes a block as settled: 0 on a local node
    # (instant finality); ⌊N/2⌋+1 on a Clique network of N signers (`ledger up --network` sets it).
    settle_blocks: int = Field(0, ge=0, le=64)
    batch_max: int = 200  # signed actions per relayed transaction
    poll_interval_s: float = 0.05  # while actions await confirmation
    idle_poll_s: float = 1.0  # follower's poll when nothing of ours is pending
    resend_after_s: float = 30.0
    # Single actions sent at once are simulated in batches (api/services/intake.accept): this many
    # batches may be simulated at the same time; what arrives while all are busy forms the next.
    intake_overlap: int = Field(2, ge=1, le=16)
    # While single actions are being taken in, the relayer waits up to this long for the batch in
    # progress, so that it goes in the same transaction (fewer, fuller blocks); 0: never waits.
    relay_gather_s: float = Field(0.01, ge=0, le=1)
    # The relayer sends a transaction at most this often: what is accepted meanwhile goes in the
    # next, so under load each block carries more actions (every block costs the relayer and the
    # follower a fixed round of work); a lone action after a quiet spell is sent at once. 0: at once.
    relay_interval_s: float = Field(0.05, ge=0, le=5)
    clock_ttl_s: float = 1.0  # how long the chain's latest block time is reused (the sharing check)
    timekeeper_interval_s: float = 60.0  # deemed approvals, idle suspensions, lapses (Art. 20, 26); 0: off
    # A local node (anvil, Hardhat) mines only when a transaction arrives, so its clock stops on a
    # quiet chain: every this many seconds without a new block, `ledger serve` mines an empty one.
    heartbeat_s: float = 15.0
    max_body_bytes: int = 256 * 1024
    platform_signing: bool = False  # Art. 18 platform-held keys: off unless explicitly enabled
    keystore_dir: Path | None = None  # the platform's signing keys; default $LEDGER_KEYSTORE_DIR, else data_dir/keys
    key_password: SecretStr | None = None  # opens them; required for platform_signing outside development
    # Authentication (api/auth): the secret behind challenges and tokens, the credential of the
    # platform's own services (the share service), and what a token is for and how long it lasts.
    auth_secret: SecretStr = SecretStr(DEV_AUTH_SECRET)
    platform_credential: SecretStr = SecretStr(DEV_PLATFORM_CREDENTIAL)
    auth_audience: str | None = None  # default: http://{host}:{port}; the URL officers reach the API at
    auth_challenge_ttl_s: int = Field(120, ge=1, le=600)
    auth_token_ttl_s: int = Field(900, ge=1, le=12 * 3600)

    # The usage log (#11): a checkpoint every this many records or seconds, whichever comes first
    # (X-Road's defaults); intake stops when anchoring has failed for longer than the stall time.
    usage_checkpoint_records: int = Field(10_000, ge=1)
    usage_checkpoint_interval_s: float = Field(60.0, gt=0)
    usage_anchor_stall_s: float = Field(600.0, gt=0)
    usage_anchor_poll_s: float = 1.0  # the anchoring loop's pause when nothing is due; 0: no loop
    # The Data Center officer key that signs checkpoints: "ecdsa:HEX" or "sm2:HEX", or a keystore
    # file opened with key_password. Unset: records are logged and hashed, nothing is anchored.
    usage_key: SecretStr | None = None

    @field_validator("rpc_urls", mode="before")
    @classmethod
    def _split_urls(cls, value):
        return [u.strip() for u in value.split(",") if u.strip()] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _first_rpc_url(self) -> "Settings":
        if self.rpc_urls:
            self.rpc_url = self.rpc_urls[0]
        return self

    @property
    def rpc_endpoints(self) -> list[str]:
        """Every node the platform may use, in order: `rpc_urls`, else the one `rpc_url`."""
        return list(self.rpc_urls) or [self.rpc_url]

    @model_validator(mode="after")
    def _refuse_insecure_defaults(self) -> "Settings":
        if self.platform_signing and self.env != "development" and not self.key_password:
            raise InsecureSettingsError(
                f"refusing to start in {self.env}: LEDGER_PLATFORM_SIGNING needs "
                "LEDGER_KEY_PASSWORD for the platform keystore"
            )
        if self.env == "development" or self.env == "test":
            return self
        problems = []
        if self.relayer_key.get_secret_value() in DEV_KEYS:
            problems.append("LEDGER_RELAYER_KEY is a public development key")
        if self.office_key.get_secret_value() in DEV_KEYS:
            problems.append("LEDGER_OFFICE_KEY is a public development key")
        if self.database_url is None:
            problems.append("LEDGER_DATABASE_URL must be set explicitly")
        for name, value, default in (
            ("LEDGER_AUTH_SECRET", self.auth_secret, DEV_AUTH_SECRET),
            ("LEDGER_PLATFORM_CREDENTIAL", self.platform_credential, DEV_PLATFORM_CREDENTIAL),
        ):
            if value.get_secret_value() == default:
                problems.append(f"{name} is the public development value")
            elif len(value.get_secret_value()) < MIN_SECRET_CHARS:
                problems.append(f"{name} must be at least {MIN_SECRET_CHARS} characters")
        if self.audience_unreachable:
            problems.append(
                f"LEDGER_AUTH_AUDIENCE must be set: LEDGER_HOST {self.host} listens on every address, so it is "
                "not a URL officers can reach, and every login would name the wrong audience"
            )
        if problems:
            raise InsecureSettingsError(f"refusing to start in {self.env}: " + "; ".join(problems))
        return self

    @property
    def chain_start_time(self) -> int | None:
        """`chain_start` as unix seconds. Raises ValueError naming the setting."""
        if not self.chain_start:
            return None
        if self.chain_start.isdigit():
            return int(self.chain_start)
        try:
            when = datetime.fromisoformat(self.chain_start)
        except ValueError:
            raise ValueError(f"LEDGER_CHAIN_START: {self.chain_start!r} is neither ISO 8601 nor unix seconds") from None
        return int((when if when.tzinfo else when.replace(tzinfo=SHANGHAI)).timestamp())

    @field_validator("platform_credential")
    @classmethod
    def _credential_is_not_a_token(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value().startswith(TOKEN_PREFIX) or not value.get_secret_value():
            raise ValueError(f"LEDGER_PLATFORM_CREDENTIAL must be non-empty and not start with {TOKEN_PREFIX!r}")
        return value

    @property
    def audience_unreachable(self) -> bool:
        """Whether the default audience would be a wildcard listen address (0.0.0.0, ::), which no
        caller reaches the API at: logins then need `auth_audience`, the URL they do use."""
        return self.auth_audience is None and self.host in WILDCARD_HOSTS

    @property
    def resolved_auth_audience(self) -> str:
        """What login challenges and tokens name as their audience: `auth_audience`, else this API's URL."""
        return (self.auth_audience or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'mirror.db').resolve()}"
