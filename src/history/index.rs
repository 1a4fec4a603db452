//! The history index: SQLite at `$PACEBACK_HOME/history.db`, one row per take with its key figures
//! as columns (for fast tables and trends), its transcript and its full analysis.
//!
//! The take files under `recordings/` stay the record; this index is rebuilt from them by
//! `paceback history --repair`. WAL mode and a busy timeout let two paceback processes save at
//! once; every save is one transaction, so a crash leaves the row whole or absent.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use rusqlite_migration::{M, Migrations};
use serde::{Deserialize, Serialize};

use super::take::{QuestionRef, TakeRecord};
use crate::analysis::{Analysis, QuestionType, Status, Step};
use crate::error::{Error, Result};

/// Schema migrations, oldest first; `PRAGMA user_version` records how many ran. Never edit one
/// that shipped: add the next.
const MIGRATION_LIST: &[M<'static>] = &[
    // 1: takes with their key figures.
    M::up(
        "CREATE TABLE takes (
            id TEXT PRIMARY KEY,
            recorded_at TEXT NOT NULL,
            recorded_unix INTEGER NOT NULL,
            source TEXT NOT NULL,
            question_id TEXT,
            question TEXT,
            qtype TEXT NOT NULL,
            audio TEXT,
            duration_s REAL NOT NULL,
            answer_s REAL NOT NULL,
            think_pause_s REAL NOT NULL,
            problem_share REAL,
            solution_share REAL,
            wpm REAL NOT NULL,
            fillers_per_100 REAL NOT NULL,
            checks_passed INTEGER NOT NULL,
            checks_total INTEGER NOT NULL,
            transcript TEXT NOT NULL,
            analysis TEXT NOT NULL
        );
        CREATE INDEX takes_by_time ON takes (recorded_unix, id);
        CREATE INDEX takes_by_type ON takes (qtype, recorded_unix, id);",
    ),
    // 2: re-analysis keeps earlier results; warnings and budgets as columns.
    M::up(
        "CREATE TABLE earlier_analyses (
            take_id TEXT NOT NULL REFERENCES takes (id) ON DELETE CASCADE,
            replaced_at TEXT NOT NULL,
            analysis TEXT NOT NULL
        );
        CREATE INDEX earlier_by_take ON earlier_analyses (take_id);
        ALTER TABLE takes ADD COLUMN checks_warned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE takes ADD COLUMN budgets TEXT NOT NULL DEFAULT '[]';
        UPDATE takes SET
            checks_warned = (SELECT count(*) FROM json_each(analysis, '$.checks')
                             WHERE json_extract(value, '$.status') = 'warn'),
            budgets = coalesce((SELECT json_group_array(json_object(
                                    'id', json_extract(value, '$.id'),
                                    'label', json_extract(value, '$.label'),
                                    'actual_s', json_extract(value, '$.actual_s'),
                                    'min_s', json_extract(value, '$.min_s'),
                                    'max_s', json_extract(value, '$.max_s')))
                                FROM json_each(analysis, '$.budgets')), '[]');",
    ),
    // 3: the documents (transcript, analysis: ~35 kB a take) move to their own table, so that
    // listing reads only the figures (10,000 takes: 370 ms → see scripts/bench_history.py).
    M::up(
        "CREATE TABLE documents (
            take_id TEXT PRIMARY KEY REFERENCES takes (id) ON DELETE CASCADE,
            transcript TEXT NOT NULL,
            analysis TEXT NOT NULL
        );
        INSERT INTO documents (take_id, transcript, analysis)
            SELECT id, transcript, analysis FROM takes;
        ALTER TABLE takes DROP COLUMN transcript;
        ALTER TABLE takes DROP COLUMN analysis;",
    ),
    // 4: takes stopped with Ctrl-C are kept, marked.
    M::up("ALTER TABLE takes ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;"),
    // 5: seconds per step as a column, so progress draws every take's step mix without
    // reading the documents.
    M::up(
        "ALTER TABLE takes ADD COLUMN step_totals TEXT NOT NULL DEFAULT '{}';
        UPDATE takes SET step_totals = coalesce(
            (SELECT json_extract(analysis, '$.totals') FROM documents WHERE take_id = takes.id),
            '{}');",
    ),
];

pub(crate) const MIGRATIONS: Migrations<'static> = Migrations::from_slice(MIGRATION_LIST);

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATION_LIST.len();

/// A timing budget's outcome in one take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetFigure {
    pub id: String,
    pub label: String,
    pub actual_s: f64,
    pub min_s: f64,
    pub max_s: f64,
}

/// The figures of one take that history and progress show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub answer_s: f64,
    pub think_pause_s: f64,
    pub problem_share: Option<f64>,
    pub solution_share: Option<f64>,
    pub wpm: f64,
    pub fillers_per_100_words: f64,
    pub checks_passed: u32,
    pub checks_warned: u32,
    pub checks_total: u32,
    pub budgets: Vec<BudgetFigure>,
    /// Seconds per step id, as the analysis's `totals` (absent in figures saved before it was
    /// recorded).
    #[serde(default)]
    pub step_totals: StepTotals,
}

/// Seconds per step, in the order the analysis gives them; serialized as an object
/// `{"customer": 28.6, …}` like the analysis's `totals`. Unknown step ids are skipped on reading.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepTotals(pub Vec<(Step, f64)>);

impl StepTotals {
    /// Seconds on `step` (0 when absent).
    pub fn get(&self, step: Step) -> f64 {
        self.0
            .iter()
            .filter(|(s, _)| *s == step)
            .map(|(_, secs)| *secs)
            .sum()
    }

    /// Read the JSON text of the index column (an object of step id to seconds); anything
    /// else reads as no steps. Read straight into the list (no JSON tree): every row of the
    /// history has one.
    fn from_json(text: &str) -> StepTotals {
        serde_json::from_str(text).unwrap_or_default()
    }
}

impl<'de> Deserialize<'de> for StepTotals {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = StepTotals;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of step id to seconds")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<StepTotals, A::Error> {
                let mut out = Vec::new();
                while let Some(id) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    // A step this version does not know, or a `null`: skipped.
                    let secs = map.next_value::<Option<f64>>()?;
                    if let (Some(step), Some(secs)) = (Step::from_id(&id), secs) {
                        out.push((step, secs));
                    }
                }
                Ok(StepTotals(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

impl Serialize for StepTotals {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (step, secs) in &self.0 {
            map.serialize_entry(step.id(), secs)?;
        }
        map.end()
    }
}

impl Figures {
    pub fn of(a: &Analysis) -> Figures {
        let count = |s: Status| a.checks.iter().filter(|c| c.status == s).count() as u32;
        // Takes saved before shares were limited to the types they apply to still carry them.
        let applies = crate::analysis::method::profile(a.question.qtype)
            .rules
            .shares;
        Figures {
            answer_s: a.answer.duration_s,
            think_pause_s: a.think_pause_s,
            problem_share: a.shares.problem_definition.filter(|_| applies),
            solution_share: a.shares.solution.filter(|_| applies),
            wpm: a.delivery.wpm,
            fillers_per_100_words: a.delivery.fillers_per_100_words,
            checks_passed: count(Status::Pass),
            checks_warned: count(Status::Warn),
            checks_total: a.checks.len() as u32,
            budgets: a
                .budgets
                .iter()
                .map(|b| BudgetFigure {
                    id: b.id.to_string(),
                    label: b.label.to_string(),
                    actual_s: b.actual_s,
                    min_s: b.min_s,
                    max_s: b.max_s,
                })
                .collect(),
            step_totals: StepTotals(a.totals.clone()),
        }
    }
}

/// One take as history lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub id: String,
    pub recorded_at: String,
    #[serde(skip)]
    pub recorded_unix: i64,
    pub source: String,
    pub question: QuestionRef,
    pub audio: Option<String>,
    pub duration_s: f64,
    /// Stopped with Ctrl-C.
    #[serde(default)]
    pub interrupted: bool,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Which takes to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub qtype: Option<QuestionType>,
    /// Unix seconds; takes recorded before are left out.
    pub since_unix: Option<i64>,
}

/// An open history index.
pub struct Index {
    conn: Connection,
    path: PathBuf,
}

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

const ROW_COLUMNS: &str = "id, recorded_at, recorded_unix, source, question_id, question, qtype, \
     audio, duration_s, answer_s, think_pause_s, problem_share, solution_share, wpm, \
     fillers_per_100, checks_passed, checks_warned, checks_total, budgets, interrupted, step_totals";

impl Index {
    /// Open (creating or upgrading) the index at `path`, private to the user.
    pub fn open(path: &Path) -> Result<Index> {
        if path.exists() && !path.is_file() {
            return Err(damaged(path, &"it is not a file"));
        }
        let mut conn = Connection::open(path).map_err(|e| classify(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| classify(path, e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| classify(path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| classify(path, e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| classify(path, e))?;
        let version = conn
            .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
            .map_err(|e| classify(path, e))? as usize;
        if version > SCHEMA_VERSION {
            return Err(Error::usage(format!(
                "{} was written by a newer paceback (schema {version}, this one knows {SCHEMA_VERSION}); update paceback",
                path.display()
            )));
        }
        if version < SCHEMA_VERSION {
            // Two processes may open a new database at once: the migration waits for the write
            // lock, and when the other process migrated first, its failed repeat is rolled back.
            conn.set_transaction_behavior(TransactionBehavior::Immediate);
            let migrated = MIGRATIONS.to_latest(&mut conn);
            conn.set_transaction_behavior(TransactionBehavior::Deferred);
            let now = conn
                .pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))
                .map_err(|e| classify(path, e))? as usize;
            if now != SCHEMA_VERSION {
                return Err(match migrated {
                    Err(rusqlite_migration::Error::RusqliteError { err, .. }) => {
                        classify(path, err)
                    }
                    Err(other) => damaged(path, &other),
                    Ok(()) => damaged(path, &format!("schema version {now} after migrating")),
                });
            }
            if version > 0 && migrated.is_ok() {
                // Upgrades move data between tables; give the freed pages back (best effort:
                // another process reading at this moment only postpones it).
                let _ = conn.execute_batch("VACUUM");
            }
        }
        check_tables(&conn, path)?;
        for suffix in ["", "-wal", "-shm"] {
            let file = PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                super::make_private(&file)?;
            }
        }
        Ok(Index {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Add a take, or update the take with the same id (its earlier analyses too), in one
    /// transaction.
    pub fn insert(&mut self, rec: &TakeRecord) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(&self.path, e))?;
        upsert(&tx, rec).map_err(|e| classify(&self.path, e))?;
        tx.commit().map_err(|e| classify(&self.path, e))
    }

    /// Takes matching `filter`, oldest first; with `limit`, only the latest that many.
    pub fn rows(&self, filter: &Filter, limit: Option<usize>) -> Result<Vec<Row>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM takes
             WHERE (?1 IS NULL OR qtype = ?1) AND (?2 IS NULL OR recorded_unix >= ?2)
             ORDER BY recorded_unix DESC, id DESC LIMIT ?3"
        );
        let limit = limit.map_or(-1, |n| n as i64);
        let mut stmt = self
            .conn
            .prepare_cached(&sql)
            .map_err(|e| classify(&self.path, e))?;
        let mut rows = stmt
            .query_map(
                params![filter.qtype.map(|t| t.id()), filter.since_unix, limit],
                row,
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<Row>>>())
            .map_err(|e| classify(&self.path, e))?;
        rows.reverse();
        Ok(rows)
    }

    /// The record of the take [`Index::resolve`] names.
    pub fn find(&self, name: &str) -> Result<TakeRecord> {
        let id = self.resolve(name)?;
        self.take(&id)?
            .ok_or_else(|| Error::usage(format!("no take `{id}` in the history")))
    }

    /// The take whose id is `id`, or starts with it when only one does; `latest` is the newest,
    /// `previous` the one before it.
    pub fn resolve(&self, id: &str) -> Result<String> {
        let found: Vec<String> = if id == "latest" || id == "last" {
            self.query_ids(
                "SELECT id FROM takes ORDER BY recorded_unix DESC, id DESC LIMIT 1",
                [],
            )?
        } else if id == "previous" || id == "prev" {
            let newest = self.query_ids(
                "SELECT id FROM takes ORDER BY recorded_unix DESC, id DESC LIMIT 2",
                [],
            )?;
            match newest.as_slice() {
                [_, previous] => vec![previous.clone()],
                _ if newest.is_empty() => Vec::new(),
                _ => {
                    return Err(Error::usage(
                        "there is only one take, so no `previous` one: `paceback practice` records another",
                    ));
                }
            }
        } else {
            self.query_ids(
                "SELECT id FROM takes WHERE id = ?1 OR substr(id, 1, length(?1)) = ?1 ORDER BY id LIMIT 6",
                [id],
            )?
        };
        match found.as_slice() {
            [] if matches!(id, "latest" | "last" | "previous" | "prev") => Err(Error::usage(
                "no takes yet: `paceback practice` records one, `paceback analyze FILE` adds one",
            )),
            [] => Err(Error::usage(format!(
                "no take `{id}` in the history; `paceback history` lists them"
            ))),
            [one] => Ok(one.clone()),
            many if many.iter().any(|m| m == id) => Ok(id.to_string()),
            many => Err(Error::usage(format!(
                "`{id}` matches several takes ({}…); give more of the id",
                many.join(", ")
            ))),
        }
    }

    /// The latest take recorded before `rec` that answered the same question (the same bank
    /// question, or the same wording) and has speech.
    pub fn previous_of_question(&self, rec: &TakeRecord) -> Result<Option<String>> {
        if rec.question.id.is_none() && rec.question.text.is_none() {
            return Ok(None);
        }
        let found = self.query_ids(
            "SELECT id FROM takes
             WHERE (question_id = ?1 OR question = ?2) AND answer_s > 0 AND id != ?4
               AND (recorded_unix < ?3 OR (recorded_unix = ?3 AND id < ?4))
             ORDER BY recorded_unix DESC, id DESC LIMIT 1",
            params![
                rec.question.id,
                rec.question.text,
                unix_seconds(&rec.recorded_at),
                rec.id
            ],
        )?;
        Ok(found.into_iter().next())
    }

    fn query_ids(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare(sql)
            .map_err(|e| classify(&self.path, e))?;
        stmt.query_map(params, |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| classify(&self.path, e))
    }

    /// A stored take in full, as saved.
    pub fn take(&self, id: &str) -> Result<Option<TakeRecord>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS}, transcript, analysis FROM takes JOIN documents ON take_id = id WHERE id = ?1"
        );
        let found = self
            .conn
            .query_row(&sql, [id], full_record)
            .optional()
            .map_err(|e| classify(&self.path, e))?;
        let Some(mut rec) = found else {
            return Ok(None);
        };
        rec.earlier_analyses = self.earlier(id)?;
        Ok(Some(rec))
    }

    /// Every take, oldest first, in full.
    pub fn all(&self) -> Result<Vec<TakeRecord>> {
        let ids = self.query_ids("SELECT id FROM takes ORDER BY recorded_unix, id", [])?;
        ids.iter()
            .filter_map(|id| self.take(id).transpose())
            .collect()
    }

    fn earlier(&self, id: &str) -> Result<Vec<serde_json::Value>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT analysis FROM earlier_analyses WHERE take_id = ?1 ORDER BY rowid",
            )
            .map_err(|e| classify(&self.path, e))?;
        let texts: Vec<String> = stmt
            .query_map([id], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(|e| classify(&self.path, e))?;
        Ok(texts
            .iter()
            .filter_map(|t| serde_json::from_str(t).ok())
            .collect())
    }

    /// How often each bank question was practised.
    pub fn practice_counts(&self) -> Result<std::collections::HashMap<String, usize>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT question_id, count(*) FROM takes WHERE question_id IS NOT NULL GROUP BY question_id",
            )
            .map_err(|e| classify(&self.path, e))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as usize)))
            .and_then(|rows| rows.collect())
            .map_err(|e| classify(&self.path, e))
    }

    /// Number of takes.
    pub fn len(&self) -> Result<usize> {
        self.conn
            .query_row("SELECT count(*) FROM takes", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| classify(&self.path, e))
    }

    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The number of takes and the greatest id.
    pub fn summary(&self) -> Result<(usize, Option<String>)> {
        self.conn
            .query_row("SELECT count(*), max(id) FROM takes", [], |r| {
                Ok((r.get::<_, i64>(0)? as usize, r.get(1)?))
            })
            .map_err(|e| classify(&self.path, e))
    }

    /// Every take's id.
    pub fn ids(&self) -> Result<std::collections::HashSet<String>> {
        Ok(self
            .query_ids("SELECT id FROM takes", [])?
            .into_iter()
            .collect())
    }
}

/// The tables this build uses, all present: a database whose schema version is right but a
/// table was dropped is damaged, not an error to show as is.
fn check_tables(conn: &Connection, path: &Path) -> Result<()> {
    for table in ["takes", "documents", "earlier_analyses"] {
        let found: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .map_err(|e| classify(path, e))?;
        if found == 0 {
            return Err(damaged(path, &format!("its table `{table}` is missing")));
        }
    }
    Ok(())
}

fn upsert(tx: &rusqlite::Transaction<'_>, rec: &TakeRecord) -> rusqlite::Result<()> {
    let analysis: Analysis = rec
        .analysis()
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    let f = Figures::of(&analysis);
    tx.execute(
        "INSERT INTO takes (id, recorded_at, recorded_unix, source, question_id, question, qtype,
             audio, duration_s, answer_s, think_pause_s, problem_share, solution_share, wpm,
             fillers_per_100, checks_passed, checks_warned, checks_total, budgets, interrupted, step_totals)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
         ON CONFLICT (id) DO UPDATE SET
             recorded_at = excluded.recorded_at, recorded_unix = excluded.recorded_unix,
             source = excluded.source, question_id = excluded.question_id,
             question = excluded.question, qtype = excluded.qtype, audio = excluded.audio,
             duration_s = excluded.duration_s, answer_s = excluded.answer_s,
             think_pause_s = excluded.think_pause_s, problem_share = excluded.problem_share,
             solution_share = excluded.solution_share, wpm = excluded.wpm,
             fillers_per_100 = excluded.fillers_per_100, checks_passed = excluded.checks_passed,
             checks_warned = excluded.checks_warned, checks_total = excluded.checks_total,
             budgets = excluded.budgets, interrupted = excluded.interrupted,
             step_totals = excluded.step_totals",
        params![
            rec.id,
            rec.recorded_at,
            unix_seconds(&rec.recorded_at),
            rec.source,
            rec.question.id,
            rec.question.text,
            rec.question.qtype.id(),
            rec.audio,
            rec.duration_s,
            f.answer_s,
            f.think_pause_s,
            f.problem_share,
            f.solution_share,
            f.wpm,
            f.fillers_per_100_words,
            f.checks_passed,
            f.checks_warned,
            f.checks_total,
            json(&f.budgets),
            rec.interrupted,
            json(&f.step_totals),
        ],
    )?;
    tx.execute(
        "INSERT INTO documents (take_id, transcript, analysis) VALUES (?1, ?2, ?3)
         ON CONFLICT (take_id) DO UPDATE SET
             transcript = excluded.transcript, analysis = excluded.analysis",
        params![rec.id, json(&rec.transcript), json(&rec.analysis)],
    )?;
    tx.execute("DELETE FROM earlier_analyses WHERE take_id = ?1", [&rec.id])?;
    for earlier in &rec.earlier_analyses {
        tx.execute(
            "INSERT INTO earlier_analyses (take_id, replaced_at, analysis) VALUES (?1, ?2, ?3)",
            params![
                rec.id,
                earlier["replaced_at"].as_str().unwrap_or_default(),
                json(earlier)
            ],
        )?;
    }
    Ok(())
}

/// A value as JSON text, for the TEXT columns.
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Seconds since 1970 of an RFC 3339 time (0 when it does not parse).
pub fn unix_seconds(rfc3339: &str) -> i64 {
    rfc3339
        .parse::<jiff::Timestamp>()
        .map_or(0, |t| t.as_second())
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let qtype: String = r.get("qtype")?;
    let qtype: QuestionType = qtype.parse().unwrap_or(QuestionType::ProductSense);
    let applies = crate::analysis::method::profile(qtype).rules.shares;
    let budgets: String = r.get("budgets")?;
    Ok(Row {
        id: r.get("id")?,
        recorded_at: r.get("recorded_at")?,
        recorded_unix: r.get("recorded_unix")?,
        source: r.get("source")?,
        question: QuestionRef {
            id: r.get("question_id")?,
            text: r.get("question")?,
            qtype,
        },
        audio: r.get("audio")?,
        duration_s: r.get("duration_s")?,
        interrupted: r.get("interrupted")?,
        figures: Figures {
            answer_s: r.get("answer_s")?,
            think_pause_s: r.get("think_pause_s")?,
            problem_share: r
                .get::<_, Option<f64>>("problem_share")?
                .filter(|_| applies),
            solution_share: r
                .get::<_, Option<f64>>("solution_share")?
                .filter(|_| applies),
            wpm: r.get("wpm")?,
            fillers_per_100_words: r.get("fillers_per_100")?,
            checks_passed: r.get("checks_passed")?,
            checks_warned: r.get("checks_warned")?,
            checks_total: r.get("checks_total")?,
            budgets: serde_json::from_str(&budgets).unwrap_or_default(),
            step_totals: StepTotals::from_json(&r.get::<_, String>("step_totals")?),
        },
    })
}

fn full_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<TakeRecord> {
    let head = row(r)?;
    let bad = |e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    };
    let transcript: serde_json::Value =
        serde_json::from_str(&r.get::<_, String>("transcript")?).map_err(bad)?;
    let analysis: String = r.get("analysis")?;
    Ok(TakeRecord {
        schema: super::take::SCHEMA.to_string(),
        id: head.id,
        recorded_at: head.recorded_at,
        source: head.source,
        question: head.question,
        audio: head.audio,
        duration_s: head.duration_s,
        device: None,
        transcript: super::take::lenient(transcript).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, e.into())
        })?,
        analysis: serde_json::from_str(&analysis).map_err(bad)?,
        earlier_analyses: Vec::new(),
        interrupted: head.interrupted,
    })
}

/// A SQLite failure as the user should see it: a damaged file (corrupt, or missing a table
/// or column this build needs) is named as such, with the fix.
fn classify(path: &Path, e: rusqlite::Error) -> Error {
    let missing = matches!(&e, rusqlite::Error::SqliteFailure(_, Some(msg))
        if msg.starts_with("no such table") || msg.starts_with("no such column"));
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => damaged(path, &e),
        _ if missing => damaged(path, &e),
        _ => Error::Other(anyhow::anyhow!("history database {}: {e}", path.display())),
    }
}

fn damaged(path: &Path, reason: &dyn std::fmt::Display) -> Error {
    Error::HistoryDamaged {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{self, Lexicon};
    use crate::transcript::Transcript;

    /// A take analyzed from the product-sense fixture transcript.
    fn record(id: &str, at: &str) -> TakeRecord {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/product_sense.transcript.json"
        );
        let transcript = Transcript::load(Path::new(path)).unwrap();
        let input = analysis::Input {
            words: transcript.words.clone(),
            duration_s: transcript.duration_s,
            question: Some("Design a better alarm clock".into()),
            ..Default::default()
        };
        let a = analysis::analyze(&input, &Lexicon::builtin(), None);
        TakeRecord {
            schema: super::super::take::SCHEMA.into(),
            id: id.into(),
            recorded_at: at.into(),
            source: "analyze".into(),
            question: QuestionRef {
                id: Some("ps-01".into()),
                text: a.question.text.clone(),
                qtype: a.question.qtype,
            },
            audio: Some(format!("{id}.wav")),
            duration_s: transcript.duration_s,
            interrupted: false,
            device: None,
            transcript,
            analysis: serde_json::to_value(&a).unwrap(),
            earlier_analyses: Vec::new(),
        }
    }

    #[test]
    fn step_totals_read_known_steps_in_order() {
        let t = StepTotals::from_json(
            r#"{"pain": 30.5, "later_step": 2, "customer": null, "risks": 4}"#,
        );
        assert_eq!(t.0, vec![(Step::Pain, 30.5), (Step::Risks, 4.0)]);
        assert_eq!(t.get(Step::Pain), 30.5);
        assert_eq!(StepTotals::from_json("not json"), StepTotals::default());
        let back: StepTotals = serde_json::from_str(&json(&t)).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn the_migrations_are_valid() {
        MIGRATIONS.validate().unwrap();
    }

    #[test]
    fn a_saved_analysis_reads_back_unchanged() {
        let rec = record("a", "2026-11-02T10:00:00+01:00");
        let typed = rec.analysis().unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), rec.analysis);
    }

    #[test]
    fn takes_round_trip_with_their_figures() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::open(&dir.path().join("h.db")).unwrap();
        let rec = record("2026-11-02_10-00-00", "2026-11-02T10:00:00+01:00");
        index.insert(&rec).unwrap();
        index
            .insert(&record("2026-11-03_10-00-00", "2026-11-03T10:00:00+01:00"))
            .unwrap();
        let back = index.take("2026-11-02_10-00-00").unwrap().unwrap();
        assert_eq!(back.analysis, rec.analysis);
        assert_eq!(back.transcript, rec.transcript);
        assert_eq!(back.question, rec.question);
        let rows = index.rows(&Filter::default(), None).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].figures, Figures::of(&rec.analysis().unwrap()));
        assert!(rows[0].recorded_unix < rows[1].recorded_unix);
        // The latest one, with a limit.
        let latest = index.rows(&Filter::default(), Some(1)).unwrap();
        assert_eq!(latest[0].id, "2026-11-03_10-00-00");
        assert_eq!(index.resolve("latest").unwrap(), "2026-11-03_10-00-00");
        assert_eq!(index.resolve("2026-11-02").unwrap(), "2026-11-02_10-00-00");
        assert!(index.resolve("2026-11").is_err(), "ambiguous prefix");
        assert_eq!(index.practice_counts().unwrap()["ps-01"], 2);
    }

    #[test]
    fn a_type_filter_and_a_since_date_narrow_the_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::open(&dir.path().join("h.db")).unwrap();
        index
            .insert(&record("a", "2026-11-02T10:00:00+00:00"))
            .unwrap();
        index
            .insert(&record("b", "2026-11-09T10:00:00+00:00"))
            .unwrap();
        let since = Filter {
            qtype: None,
            since_unix: Some(unix_seconds("2026-11-05T00:00:00+00:00")),
        };
        assert_eq!(index.rows(&since, None).unwrap().len(), 1);
        let other_type = Filter {
            qtype: Some(QuestionType::Behavioral),
            since_unix: None,
        };
        assert!(index.rows(&other_type, None).unwrap().is_empty());
    }

    #[test]
    fn databases_of_every_earlier_version_upgrade_in_place() {
        for version in 1..SCHEMA_VERSION {
            upgrade_from(version);
        }
    }

    /// A database written by the paceback of schema `version`, holding one take, then opened now.
    fn upgrade_from(version: usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        let rec = record("old", "2026-10-01T09:00:00+02:00");
        let a = rec.analysis().unwrap();
        {
            let mut conn = Connection::open(&path).unwrap();
            MIGRATIONS.to_version(&mut conn, 1).unwrap();
            conn.execute(
                "INSERT INTO takes (id, recorded_at, recorded_unix, source, qtype, duration_s,
                     answer_s, think_pause_s, problem_share, solution_share, wpm, fillers_per_100,
                     checks_passed, checks_total, transcript, analysis)
                 VALUES ('old', ?1, ?2, 'practice', 'product_sense', 120, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    rec.recorded_at,
                    unix_seconds(&rec.recorded_at),
                    a.answer.duration_s,
                    a.think_pause_s,
                    a.shares.problem_definition,
                    a.shares.solution,
                    a.delivery.wpm,
                    a.delivery.fillers_per_100_words,
                    Figures::of(&a).checks_passed,
                    a.checks.len() as i64,
                    json(&rec.transcript),
                    json(&rec.analysis),
                ],
            )
            .unwrap();
            MIGRATIONS.to_version(&mut conn, version).unwrap();
        }
        let index = Index::open(&path).unwrap();
        let version: i64 = index
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version as usize, SCHEMA_VERSION);
        let rows = index.rows(&Filter::default(), None).unwrap();
        let expected = Figures::of(&a);
        assert!(expected.checks_warned > 0 && !expected.budgets.is_empty());
        assert_eq!(
            rows[0].figures, expected,
            "from version {version}: columns added later are filled from the analysis"
        );
        let back = index.take("old").unwrap().unwrap();
        assert_eq!(back.analysis, rec.analysis, "from version {version}");
        assert_eq!(back.transcript, rec.transcript, "from version {version}");
        assert!(back.earlier_analyses.is_empty());
    }

    #[test]
    fn a_database_from_a_newer_paceback_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = Index::open(&path).err().unwrap().to_string();
        assert!(err.contains("newer paceback"), "{err}");
    }

    #[test]
    fn a_crash_before_commit_leaves_no_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        Index::open(&path).unwrap();
        let mut conn = Connection::open(&path).unwrap();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .unwrap();
        upsert(&tx, &record("half", "2026-11-02T10:00:00+00:00")).unwrap();
        // The process dies here: no commit, no rollback, nothing closed.
        std::mem::forget(tx);
        std::mem::forget(conn);
        let index = Index::open(&path);
        let index = index.unwrap();
        assert_eq!(index.len().unwrap(), 0);
    }

    #[test]
    fn earlier_analyses_are_kept_with_the_take() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::open(&dir.path().join("h.db")).unwrap();
        let mut rec = record("a", "2026-11-02T10:00:00+00:00");
        index.insert(&rec).unwrap();
        let mut earlier = rec.analysis.clone();
        earlier["replaced_at"] = "2026-11-05T10:00:00+00:00".into();
        rec.earlier_analyses.push(earlier.clone());
        index.insert(&rec).unwrap();
        assert_eq!(
            index.take("a").unwrap().unwrap().earlier_analyses,
            vec![earlier]
        );
        let replaced: String = index
            .conn
            .query_row("SELECT replaced_at FROM earlier_analyses", [], |r| r.get(0))
            .unwrap();
        assert_eq!(replaced, "2026-11-05T10:00:00+00:00");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_reported_as_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.db");
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let err = Index::open(&path).err().unwrap();
        assert!(matches!(err, Error::HistoryDamaged { .. }), "{err}");
        assert!(err.to_string().contains("paceback history --repair"));
    }
}
