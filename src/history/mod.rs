//! Every take the user records or analyzes, kept in `$PACEBACK_HOME/recordings`: the audio and a
//! `paceback.take/1` JSON file beside it (question, transcript, the full analysis). The files
//! are the record; the SQLite index (`history.db`) is built from them for fast tables and trends
//! and can always be rebuilt from them.

pub mod index;
pub mod progress;
pub mod take;

pub use index::{Figures, Filter, Index, Row};
pub use take::{QuestionRef, TakeRecord};

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

    /// A fresh id and file names for a take recorded now (`2026-11-23_18-40-12[_n]`), claimed
    /// by creating its (empty) record file, so two processes never get the same id.
    pub fn new_take(&self) -> anyhow::Result<NewTake> {
        let stamp = file_stamp();
        for n in 0.. {
            let id = if n == 0 {
                stamp.clone()
            } else {
                format!("{stamp}_{n}")
            };
            let (wav, json) = (
                self.dir.join(format!("{id}.wav")),
                self.dir.join(format!("{id}.json")),
            );
            if wav.exists() {
                continue;
            }
            match create_private(&json) {
                Ok(_) => return Ok(NewTake { id, wav, json }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("cannot create {}", json.display()))
                    );
                }
            }
        }
        unreachable!("an unbounded range ends")
    }

    /// Give up a claimed take that was never saved (its record file is still empty).
    pub fn release(&self, take: &NewTake) {
        if std::fs::metadata(&take.json).is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&take.json);
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

    /// Every saved take, oldest first, and the record files that could not be read.
    pub fn scan(&self) -> (Vec<TakeRecord>, Vec<(PathBuf, String)>) {
        let mut takes = Vec::new();
        let mut unreadable = Vec::new();
        for path in self.files("json") {
            match TakeRecord::load(&path) {
                Ok(t) => takes.push(t),
                Err(e) => unreadable.push((path, format!("{e:#}"))),
            }
        }
        takes.sort_by(|a, b| a.recorded_at.cmp(&b.recorded_at).then(a.id.cmp(&b.id)));
        (takes, unreadable)
    }

    /// The visible files with this extension.
    fn files(&self, ext: &str) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == ext)
                    && !p
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            })
            .collect();
        out.sort();
        out
    }
}

/// Open the history index of `home`. A new index starts with the takes already saved (by a
/// paceback from before the index, or after the index was deleted).
pub fn open_index(home: &Home) -> crate::error::Result<Index> {
    ensure_private_dir(home.root())?;
    let fresh = !home.history_db().exists();
    let mut index = Index::open(&home.history_db())?;
    if fresh {
        let (takes, _) = Store::open(home)?.scan();
        for take in &takes {
            index.insert(take)?;
        }
    }
    Ok(index)
}

/// Save a take: its record file first (the record), then its row in the index. An index that
/// cannot be written costs nothing: the warning says how to rebuild it.
pub fn keep(home: &Home, store: &Store, record: &TakeRecord) -> anyhow::Result<PathBuf> {
    let saved = store.save(record)?;
    if let Err(e) = open_index(home).and_then(|mut index| index.insert(record)) {
        eprintln!(
            "paceback: warning: {} is saved, but the history index was not updated: {e}",
            saved.display()
        );
    }
    Ok(saved)
}

/// Finish a claimed take: build its record (which may copy the recording in) and keep it. If
/// anything fails, the claim is given up, so no empty record file is left behind.
pub fn save_claimed(
    home: &Home,
    store: &Store,
    take: &NewTake,
    record: impl FnOnce() -> anyhow::Result<TakeRecord>,
) -> anyhow::Result<PathBuf> {
    let saved = record().and_then(|r| keep(home, store, &r));
    if saved.is_err() {
        store.release(take);
    }
    saved
}

/// What `history --repair` did.
#[derive(Debug, Default)]
pub struct Repair {
    /// Where the old database was moved.
    pub set_aside: Option<PathBuf>,
    pub indexed: usize,
    pub unreadable: Vec<(PathBuf, String)>,
    /// Recordings with no saved analysis (an interrupted take): analyze them to add them.
    pub audio_only: Vec<PathBuf>,
}

/// Move the index aside (nothing is deleted) and rebuild it from the saved take files.
pub fn repair(home: &Home) -> crate::error::Result<Repair> {
    let store = Store::open(home)?;
    let db = home.history_db();
    let mut report = Repair::default();
    if db.exists() {
        let aside = home.root().join(format!("history.db.{}.bak", file_stamp()));
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&from, &to)
                    .with_context(|| format!("cannot move {} aside", from.display()))?;
            }
        }
        report.set_aside = Some(aside);
    }
    let mut index = Index::open(&db)?;
    let (takes, unreadable) = store.scan();
    for take in &takes {
        match index.insert(take) {
            Ok(()) => report.indexed += 1,
            Err(e) => report
                .unreadable
                .push((store.dir.join(format!("{}.json", take.id)), e.to_string())),
        }
    }
    report.unreadable.extend(unreadable);
    let known: std::collections::HashSet<&str> =
        takes.iter().filter_map(|t| t.audio.as_deref()).collect();
    report.audio_only = store
        .files("wav")
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| !known.contains(n.to_string_lossy().as_ref()))
        })
        .collect();
    Ok(report)
}

/// Now, for file names: `2026-11-23_18-40-12`.
fn file_stamp() -> String {
    jiff::ZonedDateTime::now()
        .strftime("%Y-%m-%d_%H-%M-%S")
        .to_string()
}

/// Now, as RFC 3339 with the local offset (`2026-11-23T18:40:12+01:00`).
pub fn now_rfc3339() -> String {
    jiff::ZonedDateTime::now()
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Create a new file (failing if it exists) readable and writable by the user only (0600).
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Write a file readable and writable by the user only (0600), replacing any file there.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut f =
        create_private(path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Copy a file to a new private (0600) file.
pub fn copy_private(from: &Path, to: &Path) -> anyhow::Result<()> {
    let mut src =
        std::fs::File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let mut dst = create_private(to).with_context(|| format!("cannot create {}", to.display()))?;
    std::io::copy(&mut src, &mut dst)
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    dst.sync_all()?;
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
