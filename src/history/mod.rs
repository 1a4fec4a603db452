//! Every take the user records or analyzes, kept in `$PACEBACK_HOME/recordings`: the audio and a
//! `paceback.take/1` JSON file beside it (question, transcript, the full analysis). The files
//! are the record; the SQLite index (`history.db`) is built from them for fast tables and trends
//! and can always be rebuilt from them.

pub mod compare;
pub mod index;
pub mod progress;
pub mod take;

pub use index::{Figures, Filter, Index, Row, StepTotals};
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

/// A temporary file older than this was left by a process that died.
const STALE: std::time::Duration = std::time::Duration::from_secs(3600);

/// A claim older than this is stale even when its process id is in use again.
const STALE_CLAIM: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// What a claim file holds, followed by the claiming process's id.
const CLAIM: &str = "paceback claim, pid";

impl Store {
    /// The recordings folder of `home` (created private when missing), cleared of what a crashed
    /// save left behind.
    pub fn open(home: &Home) -> anyhow::Result<Store> {
        let dir = home.recordings_dir();
        ensure_private_dir(&dir)?;
        let store = Store { dir };
        store.sweep();
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The record file of take `id`. Takes are named by their file, never by their content: an
    /// id not of the documented form is refused, so no record can name a path.
    pub fn record_path(&self, id: &str) -> anyhow::Result<PathBuf> {
        anyhow::ensure!(
            take::is_take_id(id),
            "{id:?} is not a take id (like 2026-11-23_18-40-12)"
        );
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// The claim of take `id`: a hidden file holding the claiming process's id.
    fn claim_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!(".{id}.json.part"))
    }

    /// A fresh id and file names for a take recorded now (`2026-11-23_18-40-12[_n]`), claimed
    /// by creating its claim file (holding this process's id), so two processes never get the
    /// same id. The claim goes when the record is saved or the take is released.
    pub fn new_take(&self) -> anyhow::Result<NewTake> {
        use std::io::Write;
        let stamp = file_stamp();
        for n in 0.. {
            let id = if n == 0 {
                stamp.clone()
            } else {
                format!("{stamp}_{n}")
            };
            let take = NewTake {
                wav: self.dir.join(format!("{id}.wav")),
                json: self.dir.join(format!("{id}.json")),
                id,
            };
            let taken = || take.wav.exists() || take.json.exists();
            if taken() {
                continue;
            }
            let claim = self.claim_path(&take.id);
            match crate::home::create_private(&claim) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{CLAIM} {}", std::process::id());
                    // A take saved under this id between the look and the claim.
                    if taken() {
                        let _ = std::fs::remove_file(&claim);
                        continue;
                    }
                    return Ok(take);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(
                        anyhow::Error::new(e).context(format!("cannot create {}", claim.display()))
                    );
                }
            }
        }
        unreachable!("an unbounded range ends")
    }

    /// Give up a claimed take that was never saved. Its recording, if any, stays.
    pub fn release(&self, take: &NewTake) {
        let _ = std::fs::remove_file(self.claim_path(&take.id));
    }

    /// Write a take's record atomically (a private temporary file, then a rename), then give up
    /// its claim. The file name is the take's id, which must have the documented form.
    pub fn save(&self, record: &TakeRecord) -> anyhow::Result<PathBuf> {
        use std::io::Write;
        record.check_names()?;
        let path = self.record_path(&record.id)?;
        let text = serde_json::to_string_pretty(record)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{}.json.", record.id))
            .suffix(".part")
            .tempfile_in(&self.dir)
            .with_context(|| format!("cannot save {}", path.display()))?;
        // tempfile creates it 0600.
        tmp.write_all(text.as_bytes())
            .and_then(|()| tmp.as_file().sync_all())
            .with_context(|| format!("cannot save {}", path.display()))?;
        tmp.persist(&path)
            .with_context(|| format!("cannot save {}", path.display()))?;
        let _ = std::fs::remove_file(self.claim_path(&record.id));
        sync_dir(&self.dir);
        Ok(path)
    }

    /// Every saved take, oldest first, and the record files that could not be read (or are
    /// not named like a take, or whose id is not their name).
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

    /// The ids of the record files named like takes.
    fn record_ids(&self) -> Vec<String> {
        self.files("json")
            .iter()
            .filter_map(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|id| take::is_take_id(id))
            .collect()
    }

    /// Remove what a save killed midway left behind: claims whose process is gone (or older
    /// than a day), temporary record files and WAV copies untouched for an hour, and empty
    /// record files (the claims of earlier versions) untouched for an hour. Finished takes and
    /// recordings are never touched: a WAV without a record is a take to analyze (`--repair`
    /// lists them).
    fn sweep(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let (path, name) = (entry.path(), entry.file_name());
            let name = name.to_string_lossy();
            // Not following symlinks: only regular files are ever removed.
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let age = meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .unwrap_or_default();
            let stale = match leftover(&name) {
                Some(Leftover::Claim) => match claim_holder(&path) {
                    Some(pid) => age > STALE_CLAIM || !process_alive(pid),
                    None => age > STALE,
                },
                Some(Leftover::Temporary) => age > STALE,
                Some(Leftover::EmptyRecord) => meta.len() == 0 && age > STALE,
                None => false,
            };
            if stale {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// What a crashed save may leave in the recordings folder.
#[derive(Debug, PartialEq)]
enum Leftover {
    /// `.ID.json.part`: a claimed id.
    Claim,
    /// `.ID.json.XXXXXX.part` (a record being written) or `.ID.wav.copy.part` (a WAV being
    /// copied in).
    Temporary,
    /// `ID.json`, which earlier versions created empty as their claim.
    EmptyRecord,
}

fn leftover(name: &str) -> Option<Leftover> {
    if let Some(hidden) = name.strip_prefix('.') {
        let (id, rest) = hidden.split_once('.')?;
        if !take::is_take_id(id) {
            return None;
        }
        return match rest {
            "json.part" => Some(Leftover::Claim),
            "wav.copy.part" => Some(Leftover::Temporary),
            r if r.starts_with("json.") && r.ends_with(".part") => Some(Leftover::Temporary),
            _ => None,
        };
    }
    name.strip_suffix(".json")
        .filter(|id| take::is_take_id(id))
        .map(|_| Leftover::EmptyRecord)
}

/// The process id a claim file names.
fn claim_holder(path: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.trim().strip_prefix(CLAIM)?.trim().parse().ok()
}

/// Whether a process with this id is running (on this machine).
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // Signal 0 checks without signalling; EPERM means it exists under another user.
        let rc = unsafe { libc::kill(pid, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Make the renames in `dir` durable (best effort: not every file system syncs folders).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Open the history index of `home`, with every saved take in it: takes saved as files but
/// missing from the index (a crash between the two writes, takes copied in, an index from a
/// backup) are added.
pub fn open_index(home: &Home) -> crate::error::Result<Index> {
    ensure_private_dir(home.root())?;
    let mut index = Index::open(&home.history_db())?;
    reconcile(&mut index, &Store::open(home)?)?;
    Ok(index)
}

/// Add the record files missing from the index. Cheap when none is: the number of record
/// files and the newest id (ids are times) against the index's.
fn reconcile(index: &mut Index, store: &Store) -> crate::error::Result<()> {
    let ids = store.record_ids();
    let (rows, newest) = index.summary()?;
    if ids.len() == rows && ids.iter().max() <= newest.as_ref() {
        return Ok(());
    }
    let known = index.ids()?;
    for id in ids.iter().filter(|id| !known.contains(*id)) {
        let Ok(take) = store.record_path(id).and_then(|p| TakeRecord::load(&p)) else {
            continue; // `history --repair` names it
        };
        if take.analysis().is_ok() {
            index.insert(&take)?;
        }
    }
    Ok(())
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
/// anything fails, the claim is given up, so no claim file is left behind.
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
    let files: Vec<PathBuf> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|f| f.symlink_metadata().is_ok())
        .collect();
    if !files.is_empty() {
        let aside = set_aside_dir(home)?;
        for from in &files {
            let to = aside.join(from.file_name().unwrap_or_default());
            std::fs::rename(from, &to)
                .with_context(|| format!("cannot move {} aside", from.display()))?;
        }
        sync_dir(home.root());
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

/// A new folder to set a damaged database aside in, `history.db.2026-11-23_18-40-12[_n].bak`:
/// created, not just named, so two repairs (even at once) never share one.
fn set_aside_dir(home: &Home) -> anyhow::Result<PathBuf> {
    let stamp = file_stamp();
    for n in 0.. {
        let name = if n == 0 {
            format!("history.db.{stamp}.bak")
        } else {
            format!("history.db.{stamp}_{n}.bak")
        };
        let dir = home.root().join(name);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(
                    anyhow::Error::new(e).context(format!("cannot create {}", dir.display()))
                );
            }
        }
    }
    unreachable!("an unbounded range ends")
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

/// Write a file readable and writable by the user only (0600), replacing any file there.
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = crate::home::replace_private(path)?;
    f.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Copy a file to a new private (0600) file: into a hidden `.NAME.copy.part` beside it first,
/// renamed when complete, so a crash never leaves a half-copied file under the final name.
pub fn copy_private(from: &Path, to: &Path) -> anyhow::Result<()> {
    let name = to.file_name().unwrap_or_default().to_string_lossy();
    let tmp = to.with_file_name(format!(".{name}.copy.part"));
    let mut src =
        std::fs::File::open(from).with_context(|| format!("cannot read {}", from.display()))?;
    let _ = std::fs::remove_file(&tmp);
    let mut dst = crate::home::create_private(&tmp)
        .with_context(|| format!("cannot create {}", tmp.display()))?;
    let copied = std::io::copy(&mut src, &mut dst)
        .and_then(|_| dst.sync_all())
        .and_then(|()| std::fs::rename(&tmp, to));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::Error::new(e).context(format!(
            "cannot copy {} to {}",
            from.display(),
            to.display()
        )));
    }
    if let Some(dir) = to.parent() {
        sync_dir(dir);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(&Home::at(tmp.path())).unwrap();
        (tmp, store)
    }

    #[test]
    fn a_claim_holds_its_process_and_never_looks_like_a_take() {
        let (_tmp, store) = store();
        let take = store.new_take().unwrap();
        assert!(!take.json.exists(), "no empty record file");
        let claim = store.claim_path(&take.id);
        assert_eq!(claim_holder(&claim), Some(std::process::id()));
        // A second take in the same second gets its own id.
        let other = store.new_take().unwrap();
        assert_ne!(other.id, take.id);
        // A process killed here leaves a claim that the next start sweeps once it is gone;
        // while it lives, the claim stays.
        store.sweep();
        assert!(claim.exists());
        store.release(&take);
        assert!(!claim.exists());
    }

    #[test]
    fn saving_gives_up_the_claim_and_leaves_no_temporary_file() {
        let (_tmp, store) = store();
        let take = store.new_take().unwrap();
        let json = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/product_sense.transcript.json"
        ))
        .unwrap();
        let transcript: crate::transcript::Transcript = serde_json::from_str(&json).unwrap();
        let analysis = crate::analysis::analyze(
            &crate::analysis::Input {
                words: transcript.words.clone(),
                duration_s: transcript.duration_s,
                ..Default::default()
            },
            &crate::analysis::Lexicon::builtin(),
            None,
        );
        let rec = TakeRecord::new(
            &take,
            now_rfc3339(),
            "analyze",
            QuestionRef {
                id: None,
                text: None,
                qtype: analysis.question.qtype,
            },
            None,
            transcript,
            &analysis,
        )
        .unwrap();
        store.save(&rec).unwrap();
        let names: Vec<String> = std::fs::read_dir(store.dir())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{}.json", take.id)]);
        // A record whose id is a path is never written.
        let mut bad = rec.clone();
        bad.id = "../escaped".into();
        assert!(store.save(&bad).is_err());
        assert!(!store.dir().join("../escaped.json").exists());
    }

    #[test]
    fn a_failed_copy_leaves_nothing_under_the_final_name() {
        let (tmp, store) = store();
        let to = store.dir().join("2026-01-01_00-00-00.wav");
        // A folder opens but cannot be read: the copy fails midway.
        assert!(copy_private(tmp.path(), &to).is_err());
        assert!(!to.exists());
        assert_eq!(std::fs::read_dir(store.dir()).unwrap().count(), 0);
        let from = tmp.path().join("take.wav");
        std::fs::write(&from, b"RIFF....WAVE").unwrap();
        copy_private(&from, &to).unwrap();
        assert_eq!(std::fs::read(&to).unwrap(), b"RIFF....WAVE");
        assert_eq!(std::fs::read_dir(store.dir()).unwrap().count(), 1);
    }

    #[test]
    fn two_repairs_in_one_second_set_aside_two_databases() {
        let tmp = tempfile::tempdir().unwrap();
        let home = Home::at(tmp.path());
        open_index(&home).unwrap();
        let first = repair(&home).unwrap().set_aside.unwrap();
        let second = repair(&home).unwrap().set_aside.unwrap();
        assert_ne!(first, second);
        assert!(first.join("history.db").is_file() && second.join("history.db").is_file());
    }

    #[test]
    fn leftovers_are_recognized_by_name_only() {
        let id = "2026-11-23_18-40-12";
        assert_eq!(leftover(&format!(".{id}.json.part")), Some(Leftover::Claim));
        assert_eq!(
            leftover(&format!(".{id}.json.x1Y2z3.part")),
            Some(Leftover::Temporary)
        );
        assert_eq!(
            leftover(&format!(".{id}.wav.copy.part")),
            Some(Leftover::Temporary)
        );
        assert_eq!(leftover(&format!("{id}.json")), Some(Leftover::EmptyRecord));
        for keep in [
            format!("{id}.wav"),
            format!(".{id}.wav.part"),
            "notes.json".to_string(),
            ".hidden.json.part".to_string(),
        ] {
            assert_eq!(leftover(&keep), None, "{keep}");
        }
    }
}
