//! The rooms' database: one schema and one set of migrations on SQLite (the embedded default)
//! and PostgreSQL (several `serve` processes sharing rooms), through sqlx's `Any` driver with
//! plain bound queries. A room is its rows of `room_entries`, whose primary key (room, seq) is
//! the version check that serialises concurrent writers: an entry is appended at the next
//! position or not at all.

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

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
}

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

/// The channel of PostgreSQL notifications of new entries (payload `room seq`).
pub const CHANNEL: &str = "bc_room_entries";

fn db(e: sqlx::Error) -> String {
    // sqlx errors carry no credentials (the URL is not part of them).
    format!("database: {e}")
}

impl Store {
    /// Connects and runs the migrations. `url`: `sqlite://PATH` (created if missing) or
    /// `postgres://…`.
    pub async fn open(url: &str) -> Result<Store, String> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err("--database: expected a URL sqlite://PATH or postgres://…".into());
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
                    Ok(())
                })
            })
        } else {
            opts
        };
        let pool = opts.connect(&url_full).await.map_err(|e| format!("--database: cannot connect: {e}"))?;
        let s = Store { pool, backend, url: url.to_string() };
        s.migrate().await?;
        Ok(s)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
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
            sqlx::query("CREATE TABLE IF NOT EXISTS bc_migrations (version BIGINT PRIMARY KEY)")
                .execute(&mut *conn)
                .await
                .map_err(db)?;
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
    /// in one transaction.
    pub async fn create_room(&self, id: &str, created_ms: i64, deadline_ms: Option<i64>, first: &str, seats: &[(String, String)]) -> Result<(), String> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("INSERT INTO rooms (id, created_ms, deadline_ms) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(created_ms)
            .bind(deadline_ms)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("INSERT INTO room_entries (room, seq, body) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(0i64)
            .bind(first)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for (hash, seat) in seats {
            sqlx::query("INSERT INTO seat_tokens (token_hash, room, seat) VALUES ($1, $2, $3)")
                .bind(hash)
                .bind(id)
                .bind(seat)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    /// Appends `body` at position `seq` of `room`; committed when this returns `Ok`. On
    /// PostgreSQL the other processes are notified in the same transaction.
    pub async fn append(&self, room: &str, seq: u64, body: &str) -> Result<(), AppendError> {
        let mut tx = self.pool.begin().await.map_err(|e| AppendError::Db(db(e)))?;
        let r = sqlx::query("INSERT INTO room_entries (room, seq, body) VALUES ($1, $2, $3)")
            .bind(room)
            .bind(seq as i64)
            .bind(body)
            .execute(&mut *tx)
            .await;
        if let Err(e) = r {
            let unique = matches!(&e, sqlx::Error::Database(d) if d.is_unique_violation());
            return Err(if unique { AppendError::Conflict } else { AppendError::Db(db(e)) });
        }
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(format!("{room} {seq}"))
                .execute(&mut *tx)
                .await
                .map_err(|e| AppendError::Db(db(e)))?;
        }
        tx.commit().await.map_err(|e| {
            let unique = matches!(&e, sqlx::Error::Database(d) if d.is_unique_violation());
            if unique {
                AppendError::Conflict
            } else {
                AppendError::Db(db(e))
            }
        })
    }

    /// The entries of `room` from position `from` on, in order.
    pub async fn entries(&self, room: &str, from: u64) -> Result<Vec<(u64, String)>, String> {
        let rows = sqlx::query("SELECT seq, body FROM room_entries WHERE room = $1 AND seq >= $2 ORDER BY seq")
            .bind(room)
            .bind(from as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>(0).map_err(db)? as u64, r.try_get::<String, _>(1).map_err(db)?)))
            .collect()
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

    /// Whether the room exists.
    pub async fn room_exists(&self, room: &str) -> Result<bool, String> {
        let row = sqlx::query("SELECT id FROM rooms WHERE id = $1").bind(room).fetch_optional(&self.pool).await.map_err(db)?;
        Ok(row.is_some())
    }
}
