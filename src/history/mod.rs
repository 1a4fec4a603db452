//! Every take the user records or analyzes, kept in `$PACEBACK_HOME/recordings`: the audio and a
//! `paceback.take/1` JSON file beside it (question, transcript, the full analysis). The files
//! are the record; everything else about history is derived from them.

pub mod take;

pub use take::{QuestionRef, TakeRecord};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::home::{Home, ensure_private_dir};

/// The recordings folder.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// Where a new take goes.
#[derive(Debug, Clone)]
pub struct NewTake {
    pub id: String,
    pub wav: PathBuf,
    pub json: PathBuf,
}

impl Store {
    pub fn open(home: &Home) -> anyhow::Result<Store> {
        let dir = home.recordings_dir();
        ensure_private_dir(&dir)?;
        Ok(Store { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A fresh id and file names for a take recorded now: `2026-11-23_18-40-12[_n]`.
    pub fn new_take(&self) -> NewTake {
        let stamp = jiff::ZonedDateTime::now()
            .strftime("%Y-%m-%d_%H-%M-%S")
            .to_string();
        let mut n = 0;
        loop {
            let id = if n == 0 {
                stamp.clone()
            } else {
                format!("{stamp}_{n}")
            };
            let (wav, json) = (
                self.dir.join(format!("{id}.wav")),
                self.dir.join(format!("{id}.json")),
            );
            if !wav.exists() && !json.exists() {
                return NewTake { id, wav, json };
            }
            n += 1;
        }
    }

    /// Write a take's record atomically (temporary file, then rename), private to the user.
    pub fn save(&self, record: &TakeRecord) -> anyhow::Result<PathBuf> {
        let path = self.dir.join(format!("{}.json", record.id));
        let tmp = self.dir.join(format!(".{}.json.part", record.id));
        let text = serde_json::to_string_pretty(record)?;
        write_private(&tmp, text.as_bytes())?;
        std::fs::rename(&tmp, &path).with_context(|| format!("cannot save {}", path.display()))?;
        Ok(path)
    }

    /// Every saved take, oldest first; unreadable files are skipped (and reported by `repair`).
    pub fn list(&self) -> Vec<TakeRecord> {
        let mut out: Vec<TakeRecord> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .filter_map(|p| TakeRecord::load(&p).ok())
            .collect();
        out.sort_by(|a, b| a.recorded_at.cmp(&b.recorded_at).then(a.id.cmp(&b.id)));
        out
    }

    /// How often each bank question was practised.
    pub fn practice_counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for t in self.list() {
            if let Some(id) = t.question.id {
                *counts.entry(id).or_default() += 1;
            }
        }
        counts
    }
}

/// Now, as RFC 3339 with the local offset (`2026-11-23T18:40:12+01:00`).
pub fn now_rfc3339() -> String {
    jiff::ZonedDateTime::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Create a file readable and writable by the user only (0600).
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Make an existing file private to the user (0600).
pub fn make_private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(())
}
