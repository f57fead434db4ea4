//! The rooms' database: one schema and one set of migrations on SQLite (the embedded default)
//! and PostgreSQL (several `serve` processes sharing rooms), through sqlx's `Any` driver with
//! plain bound queries. A room is its rows of `room_entries`, whose primary key (room, seq) is
//! the version check that serialises concurrent writers: an entry is appended at the next
//! position or not at all.
//!
//! Every write goes through one writer task (group commit): it takes all the appends and room
//! creations waiting from every room, writes them in one transaction, commits it (one fsync for
//! the lot) and only then answers each caller. An entry is therefore acknowledged only once it
//! is committed, while the cost of a commit is shared by everything that waited for it.

use std::collections::HashSet;

use bc_io::SettingError;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

/// Which database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A database of rooms.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
    writer: mpsc::Sender<Job>,
    origin: String,
}

/// A write waiting for the writer task.
#[derive(Debug)]
enum Job {
    Append { room: String, seq: u64, body: String, done: oneshot::Sender<Result<(), AppendError>> },
    Create { room: NewRoom, done: oneshot::Sender<Result<(), String>> },
}

#[derive(Debug)]
struct NewRoom {
    id: String,
    created_ms: i64,
    deadline_ms: Option<i64>,
    first: String,
    seats: Vec<(String, String)>,
}

/// Most writes committed in one transaction.
pub const MAX_BATCH: usize = 1024;
/// Rows in one multi-row `INSERT` (3 bound values each, far under SQLite's and PostgreSQL's
/// limits on bound parameters).
const ROWS_PER_INSERT: usize = 200;
/// Writes queued for the writer before callers wait to queue theirs.
const QUEUE: usize = 8192;
/// Longest `pg_notify` payload sent (PostgreSQL's limit is 8,000 bytes).
const MAX_NOTIFY_BYTES: usize = 7_000;

/// Why an append failed.
#[derive(Debug)]
pub enum AppendError {
    /// Another writer took that position first: catch up and try again.
    Conflict,
    /// The database failed.
    Db(String),
}

/// The migrations, in order; each runs once (recorded in `bc_migrations`).
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE rooms (id TEXT PRIMARY KEY, created_ms BIGINT NOT NULL, deadline_ms BIGINT)",
    "CREATE TABLE room_entries (room TEXT NOT NULL, seq BIGINT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (room, seq))",
    "CREATE TABLE seat_tokens (token_hash TEXT PRIMARY KEY, room TEXT NOT NULL, seat TEXT NOT NULL)",
];

/// The channel of PostgreSQL notifications of new entries (payload: a line `room seq origin`
/// per entry committed, `origin` naming the process that wrote it).
pub const CHANNEL: &str = "bc_room_entries";

fn db(e: sqlx::Error) -> String {
    // sqlx errors carry no credentials (the URL is not part of them).
    format!("database: {e}")
}

impl Store {
    /// Connects and runs the migrations. `url`: `sqlite://PATH` (created if missing) or
    /// `postgres://…`.
    pub async fn open(url: &str) -> Result<Store, crate::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(SettingError::new("database", "expected a URL sqlite://PATH or postgres://…").into());
        };
        let url_full = if backend == Backend::Sqlite && !url.contains("mode=") {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        } else {
            url.to_string()
        };
        let opts = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 4 } else { 8 });
        let opts = if backend == Backend::Sqlite {
            opts.after_connect(|conn, _| {
                Box::pin(async move {
                    // WAL with full sync: a committed entry survives a killed process (and a
                    // power cut); busy_timeout lets the pool's connections wait for each other.
                    sqlx::query("PRAGMA journal_mode=WAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous=FULL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA busy_timeout=10000").execute(&mut *conn).await?;
                    // No checkpoint inside a commit (it would stall the writer and every
                    // acknowledgement behind it): `checkpoint_loop` checkpoints beside it.
                    sqlx::query("PRAGMA wal_autocheckpoint=0").execute(&mut *conn).await?;
                    Ok(())
                })
            })
        } else {
            opts
        };
        let pool = opts.connect(&url_full).await.map_err(|e| SettingError::new("database", format!("cannot connect: {e}")))?;
        let (writer, jobs) = mpsc::channel(QUEUE);
        let origin = crate::token::new_room_id();
        let s = Store { pool, backend, url: url.to_string(), writer, origin: origin.clone() };
        s.migrate().await?;
        tokio::spawn(write_loop(s.pool.clone(), backend, origin, jobs));
        if backend == Backend::Sqlite {
            tokio::spawn(checkpoint_loop(s.pool.clone()));
        }
        Ok(s)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// This process's mark on its notifications (a random id), so that it can skip its own.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn migrate(&self) -> Result<(), String> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        if self.backend == Backend::Postgres {
            // Two processes starting together migrate one after the other.
            sqlx::query("SELECT pg_advisory_lock(734100)").execute(&mut *conn).await.map_err(db)?;
        }
        let result = async {
            sqlx::query("CREATE TABLE IF NOT EXISTS bc_migrations (version BIGINT PRIMARY KEY)").execute(&mut *conn).await.map_err(db)?;
            let done: Vec<i64> = sqlx::query("SELECT version FROM bc_migrations")
                .fetch_all(&mut *conn)
                .await
                .map_err(db)?
                .iter()
                .map(|r| r.try_get::<i64, _>(0))
                .collect::<Result<_, _>>()
                .map_err(db)?;
            for (k, sql) in MIGRATIONS.iter().enumerate() {
                let v = k as i64 + 1;
                if done.contains(&v) {
                    continue;
                }
                sqlx::query(sql).execute(&mut *conn).await.map_err(db)?;
                sqlx::query("INSERT INTO bc_migrations (version) VALUES ($1)").bind(v).execute(&mut *conn).await.map_err(db)?;
            }
            Ok::<(), String>(())
        }
        .await;
        if self.backend == Backend::Postgres {
            let _ = sqlx::query("SELECT pg_advisory_unlock(734100)").execute(&mut *conn).await;
        }
        result
    }

    /// Creates a room: its row, its `created` entry at position 0 and its seat tokens' hashes,
    /// all committed (with other waiting writes) when this returns `Ok`.
    pub async fn create_room(
        &self,
        id: &str,
        created_ms: i64,
        deadline_ms: Option<i64>,
        first: &str,
        seats: &[(String, String)],
    ) -> Result<(), String> {
        let (done, answer) = oneshot::channel();
        let room = NewRoom { id: id.to_string(), created_ms, deadline_ms, first: first.to_string(), seats: seats.to_vec() };
        self.writer.send(Job::Create { room, done }).await.map_err(|_| "database: the writer has stopped".to_string())?;
        answer.await.map_err(|_| "database: the writer has stopped".to_string())?
    }

    /// Appends `body` at position `seq` of `room`; committed when this returns `Ok`. On
    /// PostgreSQL the other processes are notified in the same transaction.
    pub async fn append(&self, room: &str, seq: u64, body: &str) -> Result<(), AppendError> {
        let (done, answer) = oneshot::channel();
        let job = Job::Append { room: room.to_string(), seq, body: body.to_string(), done };
        let stopped = || AppendError::Db("database: the writer has stopped".into());
        self.writer.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// The entries of `room` from position `from` on, in order.
    pub async fn entries(&self, room: &str, from: u64) -> Result<Vec<(u64, String)>, String> {
        let rows = sqlx::query("SELECT seq, body FROM room_entries WHERE room = $1 AND seq >= $2 ORDER BY seq")
            .bind(room)
            .bind(from as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(|r| Ok((r.try_get::<i64, _>(0).map_err(db)? as u64, r.try_get::<String, _>(1).map_err(db)?))).collect()
    }

    /// The room and seat of a token's hash.
    pub async fn seat_of(&self, hash: &str) -> Result<Option<(String, String, String)>, String> {
        let row = sqlx::query("SELECT room, seat, token_hash FROM seat_tokens WHERE token_hash = $1")
            .bind(hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        match row {
            None => Ok(None),
            Some(r) => Ok(Some((r.try_get(0).map_err(db)?, r.try_get(1).map_err(db)?, r.try_get(2).map_err(db)?))),
        }
    }

    /// Every room with its deadline (milliseconds since the epoch), for the deadline timers.
    pub async fn rooms(&self) -> Result<Vec<(String, Option<i64>)>, String> {
        let rows = sqlx::query("SELECT id, deadline_ms FROM rooms ORDER BY created_ms").fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(|r| Ok((r.try_get(0).map_err(db)?, r.try_get::<Option<i64>, _>(1).map_err(db)?))).collect()
    }

    /// The newest `limit` rooms, newest first: id, creation and deadline times (ms since the
    /// epoch) and the `created` entry's text.
    pub async fn newest_rooms(&self, limit: u32) -> Result<Vec<(String, i64, Option<i64>, String)>, String> {
        let rows = sqlx::query(
            "SELECT r.id, r.created_ms, r.deadline_ms, e.body FROM rooms r JOIN room_entries e ON e.room = r.id AND e.seq = 0 \
             ORDER BY r.created_ms DESC, r.id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(db)?,
                    r.try_get(1).map_err(db)?,
                    r.try_get::<Option<i64>, _>(2).map_err(db)?,
                    r.try_get(3).map_err(db)?,
                ))
            })
            .collect()
    }

    /// Room `room`'s deadline (milliseconds since the epoch), if it has one.
    pub async fn deadline(&self, room: &str) -> Result<Option<i64>, String> {
        let row = sqlx::query("SELECT deadline_ms FROM rooms WHERE id = $1").bind(room).fetch_optional(&self.pool).await.map_err(db)?;
        match row {
            None => Ok(None),
            Some(r) => r.try_get::<Option<i64>, _>(0).map_err(db),
        }
    }

    /// Whether the room exists.
    pub async fn room_exists(&self, room: &str) -> Result<bool, String> {
        let row = sqlx::query("SELECT id FROM rooms WHERE id = $1").bind(room).fetch_optional(&self.pool).await.map_err(db)?;
        Ok(row.is_some())
    }
}

/// The writer task: waits for a write, takes every other write already waiting (up to
/// [`MAX_BATCH`]), commits them in one transaction and answers each. When the transaction
/// fails, each write is tried again in a transaction of its own, so that one bad write fails
/// alone.
async fn write_loop(pool: AnyPool, backend: Backend, origin: String, mut jobs: mpsc::Receiver<Job>) {
    // `BC_SERVE_PROFILE` set: each commit's size and duration go to stderr (for
    // `scripts/bench_serve.sh`; nothing of the entries themselves).
    let profile = std::env::var_os("BC_SERVE_PROFILE").is_some();
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let started = std::time::Instant::now();
        let written = write_batch(&pool, backend, &origin, &batch).await;
        if profile {
            eprintln!("commit {} writes {:.3} ms", batch.len(), started.elapsed().as_secs_f64() * 1e3);
        }
        match written {
            Ok(inserted) => {
                for job in batch.drain(..) {
                    match job {
                        Job::Append { room, seq, done, .. } => {
                            let r = if inserted.contains(&(room, seq)) { Ok(()) } else { Err(AppendError::Conflict) };
                            let _ = done.send(r);
                        }
                        Job::Create { done, .. } => {
                            let _ = done.send(Ok(()));
                        }
                    }
                }
            }
            Err(_) if batch.len() > 1 => {
                for job in batch.drain(..) {
                    let one = [job];
                    let r = write_batch(&pool, backend, &origin, &one).await;
                    let [job] = one;
                    match job {
                        Job::Append { done, .. } => {
                            let _ = done.send(match r {
                                Ok(inserted) if !inserted.is_empty() => Ok(()),
                                Ok(_) => Err(AppendError::Conflict),
                                Err(e) => Err(AppendError::Db(e)),
                            });
                        }
                        Job::Create { done, .. } => {
                            let _ = done.send(r.map(|_| ()));
                        }
                    }
                }
            }
            Err(e) => {
                for job in batch.drain(..) {
                    match job {
                        Job::Append { done, .. } => {
                            let _ = done.send(Err(AppendError::Db(e.clone())));
                        }
                        Job::Create { done, .. } => {
                            let _ = done.send(Err(e.clone()));
                        }
                    }
                }
            }
        }
    }
}

/// Writes `batch` in one transaction and commits it. Returns the (room, seq) of the entries
/// appended; an append missing from it lost to another writer (its position was taken).
async fn write_batch(pool: &AnyPool, backend: Backend, origin: &str, batch: &[Job]) -> Result<HashSet<(String, u64)>, String> {
    let mut tx = pool.begin().await.map_err(db)?;
    for job in batch {
        if let Job::Create { room, .. } = job {
            sqlx::query("INSERT INTO rooms (id, created_ms, deadline_ms) VALUES ($1, $2, $3)")
                .bind(&room.id)
                .bind(room.created_ms)
                .bind(room.deadline_ms)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            sqlx::query("INSERT INTO room_entries (room, seq, body) VALUES ($1, $2, $3)")
                .bind(&room.id)
                .bind(0i64)
                .bind(&room.first)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            for (hash, seat) in &room.seats {
                sqlx::query("INSERT INTO seat_tokens (token_hash, room, seat) VALUES ($1, $2, $3)")
                    .bind(hash)
                    .bind(&room.id)
                    .bind(seat)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
            }
        }
    }
    let appends: Vec<(&str, u64, &str)> = batch
        .iter()
        .filter_map(|j| match j {
            Job::Append { room, seq, body, .. } => Some((room.as_str(), *seq, body.as_str())),
            Job::Create { .. } => None,
        })
        .collect();
    let mut inserted = HashSet::with_capacity(appends.len());
    for rows in appends.chunks(ROWS_PER_INSERT) {
        // The primary key is the version check: a position already taken inserts nothing
        // (and is missing from RETURNING), the others are written.
        let mut sql = String::from("INSERT INTO room_entries (room, seq, body) VALUES ");
        for k in 0..rows.len() {
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3));
        }
        sql.push_str(" ON CONFLICT (room, seq) DO NOTHING RETURNING room, seq");
        let mut q = sqlx::query(&sql);
        for (room, seq, body) in rows {
            q = q.bind(*room).bind(*seq as i64).bind(*body);
        }
        for r in q.fetch_all(&mut *tx).await.map_err(db)? {
            inserted.insert((r.try_get::<String, _>(0).map_err(db)?, r.try_get::<i64, _>(1).map_err(db)? as u64));
        }
    }
    if backend == Backend::Postgres {
        // Other processes learn of the new entries in the same transaction: one notification
        // carries many entries, a line `room seq origin` each.
        let mut payload = String::new();
        for line in appends.iter().filter(|(r, s, _)| inserted.contains(&(r.to_string(), *s))).map(|(r, s, _)| format!("{r} {s} {origin}"))
        {
            if !payload.is_empty() && payload.len() + line.len() + 1 > MAX_NOTIFY_BYTES {
                notify(&mut tx, &payload).await?;
                payload.clear();
            }
            if !payload.is_empty() {
                payload.push('\n');
            }
            payload.push_str(&line);
        }
        if !payload.is_empty() {
            notify(&mut tx, &payload).await?;
        }
    }
    tx.commit().await.map_err(db)?;
    Ok(inserted)
}

async fn notify(tx: &mut sqlx::Transaction<'static, sqlx::Any>, payload: &str) -> Result<(), String> {
    sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(payload).execute(&mut **tx).await.map_err(db)?;
    Ok(())
}

/// How often the SQLite write-ahead log is copied back into the database.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Checkpoints the SQLite write-ahead log on a connection of its own, beside the writer (a
/// passive checkpoint never blocks a writer), so that the log stays small without a commit
/// ever waiting for a checkpoint.
async fn checkpoint_loop(pool: AnyPool) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if pool.is_closed() {
            return;
        }
        let _ = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_all(&pool).await;
    }
}
