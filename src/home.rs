//! Where paceback keeps its data: `PACEBACK_HOME`, or the user's data directory.
//!
//! Everything the user owns (models, recordings, history, their own cues and questions) lives under
//! one root so it can be backed up, moved or deleted as a whole. Folders paceback creates are private (0700); existing ones are left alone.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// The data root and the well-known places inside it.
#[derive(Debug, Clone)]
pub struct Home {
    root: PathBuf,
}

impl Home {
    /// `PACEBACK_HOME` if set and non-empty, else the platform data dir (`~/.local/share/paceback`).
    pub fn from_env() -> anyhow::Result<Self> {
        if let Some(root) = std::env::var_os("PACEBACK_HOME").filter(|v| !v.is_empty()) {
            return Ok(Home::at(root));
        }
        let dirs = directories::ProjectDirs::from("", "", "paceback")
            .context("cannot find a home directory; set PACEBACK_HOME")?;
        Ok(Home::at(dirs.data_dir()))
    }

    pub fn at(root: impl Into<PathBuf>) -> Self {
        Home { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Folder holding downloaded and imported speech models.
    pub fn models_dir(&self) -> PathBuf {
        self.root.join("models")
    }

    /// Folder holding every take the user recorded or analyzed.
    pub fn recordings_dir(&self) -> PathBuf {
        self.root.join("recordings")
    }

    /// Folder of take report pages `progress --html` links to (made again whenever wanted).
    pub fn reports_dir(&self) -> PathBuf {
        self.root.join("reports")
    }

    /// The user's cue lexicon override.
    pub fn cues_file(&self) -> PathBuf {
        self.root.join("cues.toml")
    }

    /// The user's own questions, added to the built-in bank.
    pub fn questions_file(&self) -> PathBuf {
        self.root.join("questions.toml")
    }

    /// The history database.
    pub fn history_db(&self) -> PathBuf {
        self.root.join("history.db")
    }
}

/// Create `dir` and its missing parents, each private to the user (0700). Folders that already
/// exist are left as they are: their owner chose their permissions (a shared folder's sticky bit,
/// a symlink to a folder elsewhere), and paceback never changes them.
pub fn ensure_private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        ensure_private_dir(parent)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Ok(()) => Ok(()),
        // Another process made it meanwhile.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(anyhow::Error::new(e).context(format!("cannot create {}", dir.display()))),
    }
}

/// Create a new file readable and writable by the user only (0600); an existing file is an
/// error (`AlreadyExists`), so a claim or a temporary name is never shared.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// A fresh private (0600) file at `path`, replacing any file there (what a failed earlier
/// attempt left, or the previous version).
pub fn replace_private(path: &Path) -> anyhow::Result<std::fs::File> {
    let _ = std::fs::remove_file(path);
    create_private(path).with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_live_under_the_root() {
        let home = Home::at("/data/pb");
        assert_eq!(home.models_dir(), Path::new("/data/pb/models"));
        assert_eq!(home.history_db(), Path::new("/data/pb/history.db"));
        assert_eq!(home.cues_file(), Path::new("/data/pb/cues.toml"));
    }

    #[cfg(unix)]
    #[test]
    fn private_dirs_are_0700() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        ensure_private_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn existing_dirs_and_symlink_targets_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let shared = tmp.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&shared, &link).unwrap();
        ensure_private_dir(&shared).unwrap();
        ensure_private_dir(&link).unwrap();
        ensure_private_dir(&link.join("inside")).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&shared), 0o1777, "the sticky bit stays");
        assert_eq!(
            mode(&link.join("inside")),
            0o700,
            "what paceback creates is private"
        );
    }
}
