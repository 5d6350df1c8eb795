/**
 * The state file's schema, as an ordered list of steps. Step `i` (1-based) takes a file from schema
 * version `i - 1` to `i`; a file records its version in `PRAGMA user_version` and in `meta`.
 * Steps are only ever appended: a released step is never edited, so every file reaches the same
 * schema whatever version it started from.
 */

export interface Step {
  /** What the step does, for the log. */
  readonly description: string
  readonly sql: string
}

export const steps: ReadonlyArray<Step> = [
  {
    description: "snapshots, links, base, pinned fields, runs, journal, write-backs, token ledger, lock",
    sql: `
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE erp_snapshot (
        key TEXT PRIMARY KEY,
        product TEXT NOT NULL,
        line INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE pipedrive_snapshot (
        id INTEGER PRIMARY KEY,
        code TEXT,
        product TEXT NOT NULL,
        update_time TEXT,
        is_deleted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX pipedrive_snapshot_code ON pipedrive_snapshot (code, id);
      CREATE INDEX pipedrive_snapshot_update_time ON pipedrive_snapshot (update_time, id);

      CREATE TABLE links (
        key TEXT PRIMARY KEY,
        pipedrive_id INTEGER NOT NULL UNIQUE
      ) WITHOUT ROWID;

      CREATE TABLE base (
        key TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (key, field)
      ) WITHOUT ROWID;

      CREATE TABLE pinned_fields (
        label TEXT PRIMARY KEY,
        field_code TEXT NOT NULL,
        field_type TEXT NOT NULL,
        options TEXT,
        pinned_at TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        erp_rows INTEGER,
        summary TEXT,
        plan_hash TEXT
      );

      CREATE TABLE journal (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs (id),
        op_id TEXT NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL,
        pipedrive_id INTEGER,
        error TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX journal_state ON journal (state, id);
      CREATE INDEX journal_run ON journal (run_id, id);

      CREATE TABLE pending_writeback (
        key TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        since_run INTEGER,
        PRIMARY KEY (key, field)
      ) WITHOUT ROWID;

      CREATE TABLE token_ledger (
        run_id INTEGER NOT NULL,
        day TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        requests INTEGER NOT NULL,
        tokens INTEGER NOT NULL,
        PRIMARY KEY (run_id, day, endpoint)
      ) WITHOUT ROWID;
      CREATE INDEX token_ledger_day ON token_ledger (day);

      CREATE TABLE lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        command TEXT NOT NULL,
        since TEXT NOT NULL
      );
    `
  },
  {
    description: "staging of a plan's links and agreements (Staged.ts)",
    sql: `
      CREATE TABLE staged_plan (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        links INTEGER,
        agreements INTEGER
      );
      CREATE TABLE staged_link (
        key TEXT NOT NULL,
        pipedrive_id INTEGER NOT NULL
      );
      CREATE TABLE staged_agreement (
        key TEXT NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL
      );
    `
  }
]

/** The schema version this code writes and understands. */
export const latest = steps.length
