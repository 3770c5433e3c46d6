namespace Gantry.Data.Migrations;

/// <summary>Every migration Gantry knows, oldest first. Append; never rewrite one that has shipped.</summary>
public static class Schema
{
    public static IReadOnlyList<Migration> Migrations { get; } =
    [
        new(1, "users and tenants",
            Sqlite: """
                CREATE TABLE users (
                    id                TEXT PRIMARY KEY,
                    username          TEXT NOT NULL UNIQUE,
                    email             TEXT NULL,
                    password_hash     TEXT NULL,
                    is_platform_admin INTEGER NOT NULL DEFAULT 0,
                    created_at        TEXT NOT NULL,
                    updated_at        TEXT NOT NULL
                );
                CREATE TABLE tenants (
                    name         TEXT PRIMARY KEY,
                    display_name TEXT NULL,
                    created_at   TEXT NOT NULL
                );
                """,
            PostgreSql: """
                CREATE TABLE users (
                    id                TEXT PRIMARY KEY,
                    username          TEXT NOT NULL UNIQUE,
                    email             TEXT NULL,
                    password_hash     TEXT NULL,
                    is_platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at        TIMESTAMPTZ NOT NULL,
                    updated_at        TIMESTAMPTZ NOT NULL
                );
                CREATE TABLE tenants (
                    name         TEXT PRIMARY KEY,
                    display_name TEXT NULL,
                    created_at   TIMESTAMPTZ NOT NULL
                );
                """),
        new(2, "identity: memberships, quotas, refresh tokens, API keys, audit",
            Sqlite: IdentityTables(timestamp: "TEXT", autoId: "INTEGER PRIMARY KEY AUTOINCREMENT"),
            PostgreSql: IdentityTables(timestamp: "TIMESTAMPTZ", autoId: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")),
        new(3, "instance index and idempotency keys",
            Sqlite: InstanceTables(timestamp: "TEXT"),
            PostgreSql: InstanceTables(timestamp: "TIMESTAMPTZ")),
        new(4, "tenant sealing keys",
            Sqlite: SealingKeyTables(timestamp: "TEXT"),
            PostgreSql: SealingKeyTables(timestamp: "TIMESTAMPTZ")),
        new(5, "environment index",
            Sqlite: EnvironmentTables(timestamp: "TEXT"),
            PostgreSql: EnvironmentTables(timestamp: "TIMESTAMPTZ")),
        new(6, "change requests",
            Sqlite: ChangeRequestTables(timestamp: "TEXT"),
            PostgreSql: ChangeRequestTables(timestamp: "TIMESTAMPTZ")),
        new(7, "clusters, deployment status and the status timeline",
            Sqlite: StatusTables(timestamp: "TEXT", autoId: "INTEGER PRIMARY KEY AUTOINCREMENT", boolean: "INTEGER"),
            PostgreSql: StatusTables(timestamp: "TIMESTAMPTZ", autoId: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", boolean: "BOOLEAN")),

        // An environment's timeline has one entry per report on one of its services: the service is its component.
        new(8, "status events name the component (an environment's service) they are about",
            Sqlite: "ALTER TABLE status_events ADD COLUMN component TEXT NULL;",
            PostgreSql: "ALTER TABLE status_events ADD COLUMN component TEXT NULL;"),
        new(9, "fleet: instance pins and rollouts",
            Sqlite: FleetTables(timestamp: "TEXT"),
            PostgreSql: FleetTables(timestamp: "TIMESTAMPTZ")),
        new(10, "environments: images the -local retention sweep deleted",
            Sqlite: ImageWarningTables(timestamp: "TEXT"),
            PostgreSql: ImageWarningTables(timestamp: "TIMESTAMPTZ")),

        // Who made the change that produced the row's revision (the commit's author name), for lists; rows indexed
        // before this migration have none until their instance changes again or the index is rebuilt from Git.
        new(11, "instances: who made the last change",
            Sqlite: "ALTER TABLE instances ADD COLUMN changed_by TEXT NULL;",
            PostgreSql: "ALTER TABLE instances ADD COLUMN changed_by TEXT NULL;"),

        // Each service's resolved version (a JSON object, service name to tag), so the list shows versions without
        // reading every claim; rows indexed before this migration have none until their environment is written again
        // or the index is rebuilt from the bucket and Git.
        new(12, "environments: each service's resolved version",
            Sqlite: "ALTER TABLE environments ADD COLUMN service_versions TEXT NULL;",
            PostgreSql: "ALTER TABLE environments ADD COLUMN service_versions TEXT NULL;"),
        new(13, "instance write intents",
            Sqlite: WriteIntentTables(timestamp: "TEXT"),
            PostgreSql: WriteIntentTables(timestamp: "TIMESTAMPTZ")),

        // The recent pushes to each Git remote shared by replicas on PostgreSQL, recorded by the replica holding the
        // remote's write lease with the pack it pushed, so that the others catch up by reading them instead of
        // fetching (see RemoteWriteLeases). SQLite serves one process and gets the table for one schema everywhere.
        new(14, "the recent pushes to each shared Git remote, with their packs",
            Sqlite: """
                CREATE TABLE git_remote_pushes (
                    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
                    remote     TEXT NOT NULL,
                    base       TEXT NULL,
                    head       TEXT NOT NULL,
                    pack       BLOB NULL,
                    pack_index BLOB NULL,
                    pushed_at  TEXT NOT NULL
                );
                CREATE INDEX git_remote_pushes_remote_head ON git_remote_pushes (remote, head);
                """,
            PostgreSql: """
                CREATE TABLE git_remote_pushes (
                    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    remote     TEXT NOT NULL,
                    base       TEXT NULL,
                    head       TEXT NOT NULL,
                    pack       BYTEA NULL,
                    pack_index BYTEA NULL,
                    pushed_at  TIMESTAMPTZ NOT NULL
                );
                CREATE INDEX git_remote_pushes_remote_head ON git_remote_pushes (remote, head);
                CREATE INDEX git_remote_pushes_remote_seq ON git_remote_pushes (remote, seq);
                """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    // The same tables for both providers; only the timestamp and generated-key types differ.
    private static string IdentityTables(string timestamp, string autoId) => $"""
                ALTER TABLE tenants ADD COLUMN max_instances INTEGER NULL;
                ALTER TABLE tenants ADD COLUMN max_replicas_per_instance INTEGER NULL;
                ALTER TABLE tenants ADD COLUMN allowed_offerings TEXT NULL;
                ALTER TABLE tenants ADD COLUMN allowed_environment_types TEXT NULL;
                ALTER TABLE users ADD COLUMN external_issuer TEXT NULL;
                ALTER TABLE users ADD COLUMN external_subject TEXT NULL;
                CREATE UNIQUE INDEX users_external ON users (external_issuer, external_subject);
                CREATE TABLE memberships (
                    tenant     TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
                    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    role       TEXT NOT NULL,
                    created_at {timestamp} NOT NULL,
                    PRIMARY KEY (tenant, user_id)
                );
                CREATE INDEX memberships_user ON memberships (user_id);
                CREATE TABLE refresh_tokens (
                    id         TEXT PRIMARY KEY,
                    token_hash TEXT NOT NULL UNIQUE,
                    family_id  TEXT NOT NULL,
                    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                    created_at {timestamp} NOT NULL,
                    expires_at {timestamp} NOT NULL,
                    used_at    {timestamp} NULL,
                    revoked_at {timestamp} NULL
                );
                CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
                CREATE TABLE api_keys (
                    id          TEXT PRIMARY KEY,
                    tenant      TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
                    name        TEXT NOT NULL,
                    role        TEXT NOT NULL,
                    prefix      TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    created_by  TEXT NOT NULL,
                    created_at  {timestamp} NOT NULL,
                    expires_at  {timestamp} NULL,
                    revoked_at  {timestamp} NULL
                );
                CREATE INDEX api_keys_tenant ON api_keys (tenant);
                CREATE TABLE audit_events (
                    id          {autoId},
                    occurred_at {timestamp} NOT NULL,
                    actor_id    TEXT NULL,
                    actor_name  TEXT NULL,
                    actor_kind  TEXT NULL,
                    action      TEXT NOT NULL,
                    outcome     TEXT NOT NULL,
                    tenant      TEXT NULL,
                    target      TEXT NULL,
                    client_ip   TEXT NULL,
                    detail      TEXT NULL
                );
                CREATE INDEX audit_events_tenant ON audit_events (tenant, id);
                """;

    // The instance index can be rebuilt from Git (POST /api/v1/admin/reindex); it exists for fast, filtered lists
    // and for the ETag (the revision that last changed the instance). Idempotency keys remember the answer to a
    // create so that a retried request gets the same answer instead of a second change.
    private static string InstanceTables(string timestamp) => $"""
                CREATE TABLE instances (
                    tenant         TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
                    name           TEXT NOT NULL,
                    offering       TEXT NOT NULL,
                    version        TEXT NOT NULL,
                    chart_version  TEXT NOT NULL,
                    namespace      TEXT NOT NULL,
                    revision       TEXT NOT NULL,
                    status         TEXT NOT NULL,
                    status_message TEXT NULL,
                    created_at     {timestamp} NOT NULL,
                    updated_at     {timestamp} NOT NULL,
                    PRIMARY KEY (tenant, name)
                );
                CREATE INDEX instances_offering ON instances (offering, tenant);
                CREATE TABLE idempotency_keys (
                    principal_id  TEXT NOT NULL,
                    idem_key      TEXT NOT NULL,
                    request_hash  TEXT NOT NULL,
                    status_code   INTEGER NOT NULL,
                    response_body TEXT NOT NULL,
                    etag          TEXT NULL,
                    created_at    {timestamp} NOT NULL,
                    PRIMARY KEY (principal_id, idem_key)
                );
                """;

    // One row per sealing key a tenant has had; the active one has no retired_at (at most one per tenant).
    // private_key holds the key only until its one download (escrow-encrypted when escrow is on);
    // escrowed_key is the copy kept for disaster recovery, always encrypted under the escrow master key.
    private static string SealingKeyTables(string timestamp) => $"""
                CREATE TABLE sealing_keys (
                    id              TEXT PRIMARY KEY,
                    tenant          TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
                    mode            TEXT NOT NULL,
                    certificate_pem TEXT NOT NULL,
                    not_after       {timestamp} NOT NULL,
                    private_key     TEXT NULL,
                    escrowed_key    TEXT NULL,
                    created_at      {timestamp} NOT NULL,
                    downloaded_at   {timestamp} NULL,
                    retired_at      {timestamp} NULL
                );
                CREATE INDEX sealing_keys_tenant ON sealing_keys (tenant, created_at);
                CREATE UNIQUE INDEX sealing_keys_active ON sealing_keys (tenant) WHERE retired_at IS NULL;
                """;

    // The environment index: names are unique platform-wide (an environment's name is its namespace). The claims
    // live in the environments bucket or in Git; POST /api/v1/admin/reindex rebuilds this table from them. No
    // foreign key to tenants: a reindex must be able to record an environment whose pool's tenant is gone.
    private static string EnvironmentTables(string timestamp) => $"""
                CREATE TABLE environments (
                    name              TEXT PRIMARY KEY,
                    pool              TEXT NOT NULL,
                    type              TEXT NOT NULL,
                    user_name         TEXT NOT NULL,
                    deployment_method TEXT NOT NULL,
                    services          TEXT NOT NULL,
                    revision          TEXT NOT NULL,
                    created_at        {timestamp} NOT NULL,
                    expires_at        {timestamp} NULL,
                    updated_at        {timestamp} NOT NULL
                );
                CREATE INDEX environments_pool ON environments (pool, name);
                CREATE INDEX environments_expiry ON environments (expires_at);
                """;

    // A proposed change that waits for a second person's approval (environments of protected types, ...). The
    // payload is the proposed claim as JSON, never a secret; version counts the row's updates for optimistic
    // concurrency, so two administrators deciding at once cannot both win.
    private static string ChangeRequestTables(string timestamp) => $"""
                CREATE TABLE change_requests (
                    id                TEXT PRIMARY KEY,
                    kind              TEXT NOT NULL,
                    pool              TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
                    target            TEXT NOT NULL,
                    operation         TEXT NOT NULL,
                    payload           TEXT NULL,
                    summary           TEXT NOT NULL,
                    requested_by      TEXT NOT NULL,
                    requested_by_name TEXT NOT NULL,
                    requested_at      {timestamp} NOT NULL,
                    status            TEXT NOT NULL,
                    decided_by        TEXT NULL,
                    decided_by_name   TEXT NULL,
                    decided_at        {timestamp} NULL,
                    decision_comment  TEXT NULL,
                    result_revision   TEXT NULL,
                    problem           TEXT NULL,
                    version           INTEGER NOT NULL
                );
                CREATE INDEX change_requests_pool ON change_requests (pool, status, id);
                CREATE INDEX change_requests_target ON change_requests (kind, pool, target, status);
                """;

    // Clusters run a GitOps engine and report for the tenants bound to them. The webhook secret is never stored: it is
    // derived from the server's cluster key and secret_nonce (rotation draws a new nonce); secret_hash lets a bearer
    // be checked without deriving. The instance index gains the deployment status the engines report; status_events
    // is each instance's timeline (bounded per instance by a background pruner) and the status stream's resume log.
    private static string StatusTables(string timestamp, string autoId, string boolean) => $"""
                CREATE TABLE clusters (
                    name          TEXT PRIMARY KEY,
                    engine        TEXT NOT NULL,
                    notify_url    TEXT NULL,
                    secret_nonce  TEXT NOT NULL,
                    secret_hash   TEXT NOT NULL,
                    created_by    TEXT NOT NULL,
                    created_at    {timestamp} NOT NULL,
                    rotated_at    {timestamp} NOT NULL,
                    last_event_at {timestamp} NULL
                );
                CREATE TABLE cluster_tenants (
                    cluster TEXT NOT NULL REFERENCES clusters (name) ON DELETE CASCADE,
                    tenant  TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
                    PRIMARY KEY (cluster, tenant)
                );
                CREATE INDEX cluster_tenants_tenant ON cluster_tenants (tenant);
                ALTER TABLE instances ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
                ALTER TABLE instances ADD COLUMN status_reason TEXT NULL;
                ALTER TABLE instances ADD COLUMN status_cluster TEXT NULL;
                ALTER TABLE instances ADD COLUMN status_generation BIGINT NULL;
                ALTER TABLE instances ADD COLUMN engine_revision TEXT NULL;
                ALTER TABLE instances ADD COLUMN status_observed_at {timestamp} NULL;
                UPDATE instances SET status = 'Committed' WHERE status = 'committed';
                CREATE INDEX instances_status ON instances (tenant, status, name);
                CREATE TABLE status_events (
                    id              {autoId},
                    tenant          TEXT NOT NULL,
                    target_kind     TEXT NOT NULL,
                    target          TEXT NOT NULL,
                    source          TEXT NOT NULL,
                    cluster         TEXT NULL,
                    phase           TEXT NOT NULL,
                    reason          TEXT NULL,
                    message         TEXT NULL,
                    generation      BIGINT NULL,
                    revision        TEXT NULL,
                    engine_revision TEXT NULL,
                    applied         {boolean} NOT NULL,
                    occurred_at     {timestamp} NOT NULL,
                    received_at     {timestamp} NOT NULL
                );
                CREATE INDEX status_events_tenant ON status_events (tenant, id);
                CREATE INDEX status_events_target ON status_events (tenant, target_kind, target, id);
                """;

    // A pin holds an instance at a chart version (a constraint) until it is cleared or it expires; rollouts skip
    // it. No foreign key to instances: a reindex replaces every instance row and must not drop the pins.
    // A rollout is one document (its request, waves and per-instance state, as JSON) written by the one runner that
    // advances it; `tenant` is set when a tenant admin started it for their own tenant (what they may list). `version`
    // counts its updates: a write based on an older version is refused, so two replicas never lose each other's step.
    private static string FleetTables(string timestamp) => $"""
                CREATE TABLE instance_pins (
                    tenant     TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
                    name       TEXT NOT NULL,
                    version    TEXT NOT NULL,
                    reason     TEXT NOT NULL,
                    expires_at {timestamp} NULL,
                    pinned_by  TEXT NOT NULL,
                    pinned_at  {timestamp} NOT NULL,
                    PRIMARY KEY (tenant, name)
                );
                CREATE INDEX instance_pins_expiry ON instance_pins (expires_at);
                CREATE TABLE rollouts (
                    id         TEXT PRIMARY KEY,
                    offering   TEXT NOT NULL,
                    tenant     TEXT NULL,
                    state      TEXT NOT NULL,
                    document   TEXT NOT NULL,
                    started_by TEXT NOT NULL,
                    version    INTEGER NOT NULL,
                    created_at {timestamp} NOT NULL,
                    updated_at {timestamp} NOT NULL
                );
                CREATE INDEX rollouts_state ON rollouts (state);
                CREATE INDEX rollouts_tenant ON rollouts (tenant, created_at);
                """;

    // A service of an environment that pointed at a manifest the -local retention sweep deleted. Kept while the
    // environment lives (deleted with it); the API shows only the ones the service still points at.
    private static string ImageWarningTables(string timestamp) => $"""
                CREATE TABLE environment_image_warnings (
                    environment TEXT NOT NULL,
                    service     TEXT NOT NULL,
                    reference   TEXT NOT NULL,
                    deleted_at  {timestamp} NOT NULL,
                    PRIMARY KEY (environment, service, reference)
                );
                """;

    // An instance change about to be committed to Git, recorded under the tenant's lock before the commit and cleared
    // with the index row written after it. One left behind means the writer died in between (the row may lag Git):
    // any replica repairs that row from Git under the same lock. No foreign key: the repair must find it whatever
    // became of the tenant; created_at says how long ago, so a live writer's intent is left alone for a while.
    private static string WriteIntentTables(string timestamp) => $"""
                CREATE TABLE instance_write_intents (
                    tenant     TEXT NOT NULL,
                    name       TEXT NOT NULL,
                    created_at {timestamp} NOT NULL,
                    PRIMARY KEY (tenant, name)
                );
                CREATE INDEX instance_write_intents_age ON instance_write_intents (created_at);
                """;
}
