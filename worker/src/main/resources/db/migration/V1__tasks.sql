-- video-worker cluster mode: the tasks of every node (docs/scale-out.md).
-- One row per task: the task as the single-node task.json holds it (body, with its parts and
-- history), plus the columns that claims, fencing and queries need.
CREATE TABLE worker_task (
    id              uuid PRIMARY KEY,
    session_id      text    NOT NULL,
    state           text    NOT NULL,
    body            jsonb   NOT NULL,
    progress        integer NOT NULL DEFAULT 0,   -- the running conversion's percentage (not in body: no rewrite per percent)
    queued_at       bigint  NOT NULL DEFAULT 0,   -- epoch ms: claims take the oldest first
    next_attempt_at bigint  NOT NULL DEFAULT 0,   -- epoch ms: not claimed before
    created_at      bigint  NOT NULL,
    updated_at      bigint  NOT NULL,
    lease_owner     text,                         -- node#instance holding the task's turn, or null
    lease_token     bigint  NOT NULL DEFAULT 0,   -- fencing token: +1 at every claim
    lease_until     timestamptz                   -- database time the lease lapses unrenewed
);
CREATE INDEX worker_task_due ON worker_task (queued_at, id) WHERE state IN ('queued', 'converting', 'publishing');
CREATE INDEX worker_task_session ON worker_task (session_id);

-- Every change of state, by which node: the audit trail and the bench's count of transitions.
CREATE TABLE worker_task_transition (
    seq     bigserial PRIMARY KEY,
    task_id uuid   NOT NULL REFERENCES worker_task (id) ON DELETE CASCADE,
    at      bigint NOT NULL,
    state   text   NOT NULL,
    why     text,
    node    text   NOT NULL
);
CREATE INDEX worker_task_transition_task ON worker_task_transition (task_id);

-- One row: proof of the cluster's VIDEO_WORKER_SECRET_KEY (an HMAC, never the key), so a node
-- configured with another key refuses to start instead of failing to open sealed credentials.
CREATE TABLE worker_cluster (
    id           integer PRIMARY KEY CHECK (id = 1),
    secret_proof text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- The nodes seen: name, this life's instance, last sign of life (status and health).
CREATE TABLE worker_node (
    name       text PRIMARY KEY,
    instance   text        NOT NULL,
    version    text        NOT NULL,
    started_at timestamptz NOT NULL,
    seen_at    timestamptz NOT NULL
);
