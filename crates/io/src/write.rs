//! The one write path: a temporary file beside the target, written, flushed to disk (`fsync`)
//! and renamed into place. A target that exists and is not a regular file (a device such as
//! `/dev/full`, a FIFO, a symbolic link, a directory) is refused and left untouched; an existing
//! regular file is replaced only with [`Overwrite::Replace`] (the CLI's `--force`), and without
//! it the file is put in place by a hard link, which fails rather than replace a file created
//! meanwhile.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{describe, Error, ErrorKind};

/// Whether an existing regular file may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overwrite {
    /// Refuse an existing file (the default).
    Refuse,
    /// Replace an existing regular file (`--force`).
    Replace,
}

impl Overwrite {
    /// `Replace` if `force`, else `Refuse`.
    pub fn force(force: bool) -> Overwrite {
        if force {
            Overwrite::Replace
        } else {
            Overwrite::Refuse
        }
    }
}

/// Checks that `path` may be written: it does not exist, or it is a regular file and
/// `overwrite` is `Replace`. Nothing is changed.
pub fn check_target(path: &Path, overwrite: Overwrite) -> Result<(), Error> {
    if path.as_os_str().is_empty() || path.file_name().is_none() {
        return Err(Error::new(path, ErrorKind::NotRegular { found: "no file name", reading: false }));
    }
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::os(path, "inspect", e)),
        Ok(m) if !m.file_type().is_file() => {
            Err(Error::new(path, ErrorKind::NotRegular { found: describe(m.file_type()), reading: false }))
        }
        Ok(_) if overwrite == Overwrite::Refuse => Err(Error::new(path, ErrorKind::Exists)),
        Ok(_) => Ok(()),
    }
}

/// A file being written under a temporary name beside its target; [`AtomicFile::commit`] puts
/// it in place, dropping it uncommitted removes it.
pub struct AtomicFile {
    target: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
    overwrite: Overwrite,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

impl AtomicFile {
    /// Starts writing `target` (checked with [`check_target`] now and again at commit).
    pub fn create(target: &Path, overwrite: Overwrite) -> Result<AtomicFile, Error> {
        check_target(target, overwrite)?;
        let tmp = temp_path(target);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| Error::os(target, "create a temporary file beside it", e))?;
        Ok(AtomicFile { target: target.to_path_buf(), tmp, out: Some(BufWriter::with_capacity(1 << 16, file)), overwrite })
    }

    /// The target path.
    pub fn path(&self) -> &Path {
        &self.target
    }

    /// Flushes and syncs the temporary file without putting it in place (the first half of a
    /// commit, for [`write_files`]).
    fn finish_temp(&mut self) -> Result<(), Error> {
        let Some(out) = self.out.take() else { return Ok(()) };
        let file = out.into_inner().map_err(|e| Error::os(&self.target, "write", e.into_error()))?;
        file.sync_all().map_err(|e| Error::os(&self.target, "write (sync)", e))
    }

    /// Puts the temporary file in place.
    fn place(&mut self) -> Result<(), Error> {
        check_target(&self.target, self.overwrite)?;
        match self.overwrite {
            Overwrite::Replace => std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::os(&self.target, "rename", e))?,
            Overwrite::Refuse => match std::fs::hard_link(&self.tmp, &self.target) {
                Ok(()) => {
                    let _ = std::fs::remove_file(&self.tmp);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(Error::new(&self.target, ErrorKind::Exists)),
                // File systems without hard links: the check above stands.
                Err(_) => std::fs::rename(&self.tmp, &self.target).map_err(|e| Error::os(&self.target, "rename", e))?,
            },
        }
        sync_parent(&self.target);
        Ok(())
    }

    /// Flushes, syncs and puts the file in place.
    pub fn commit(mut self) -> Result<(), Error> {
        self.finish_temp()?;
        self.place()?;
        self.tmp = PathBuf::new();
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.out {
            Some(out) => out.write(buf),
            None => Err(std::io::Error::other("file already finished")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.out = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Syncs the directory holding `path`, so that the rename itself is on disk (best effort).
fn sync_parent(path: &Path) {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `bytes` to `path` through the write path.
pub fn write_file(path: &Path, bytes: &[u8], overwrite: Overwrite) -> Result<(), Error> {
    let mut f = AtomicFile::create(path, overwrite)?;
    f.write_all(bytes).map_err(|e| Error::os(path, "write", e))?;
    f.commit()
}

/// Writes several files whole or not at all: every target is checked and every temporary file
/// written and synced before any is put in place; if putting one in place fails, the files
/// already put in place by this call are removed again (files they replaced are not restored:
/// that needs `Overwrite::Replace`, which the caller asked for).
pub fn write_files(files: &[(PathBuf, Vec<u8>)], overwrite: Overwrite) -> Result<(), Error> {
    for (path, _) in files {
        check_target(path, overwrite)?;
    }
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let mut f = AtomicFile::create(path, overwrite)?;
        f.write_all(bytes).map_err(|e| Error::os(path, "write", e))?;
        f.finish_temp()?;
        staged.push(f);
    }
    let mut placed: Vec<PathBuf> = Vec::new();
    for f in &mut staged {
        if let Err(e) = f.place() {
            for p in &placed {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
        placed.push(f.target.clone());
        f.tmp = PathBuf::new();
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh directory under the system temp dir.
    pub(crate) fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("bc-io-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn new_file_is_written_and_no_temporary_stays() {
        let d = scratch("write-new");
        let f = d.join("out.txt");
        write_file(&f, b"hello", Overwrite::Refuse).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"hello");
        assert_eq!(entries(&d), ["out.txt"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn existing_file_is_kept_unless_replace() {
        let d = scratch("write-exists");
        let f = d.join("out.txt");
        std::fs::write(&f, b"old").unwrap();
        let e = write_file(&f, b"new", Overwrite::Refuse).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Exists), "{e}");
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(std::fs::read(&f).unwrap(), b"old");
        write_file(&f, b"new", Overwrite::Replace).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"new");
        assert_eq!(entries(&d), ["out.txt"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn dev_full_is_refused_and_stays_a_device() {
        use std::os::unix::fs::FileTypeExt;
        let full = Path::new("/dev/full");
        if std::fs::symlink_metadata(full).map(|m| m.file_type().is_char_device()).unwrap_or(false) {
            for o in [Overwrite::Refuse, Overwrite::Replace] {
                let e = write_file(full, b"x", o).unwrap_err();
                assert!(matches!(e.kind, ErrorKind::NotRegular { found: "a character device", reading: false }), "{e}");
            }
            assert!(std::fs::symlink_metadata(full).unwrap().file_type().is_char_device());
        }
    }

    #[test]
    fn fifo_symlink_and_directory_are_refused_and_untouched() {
        use std::os::unix::fs::FileTypeExt;
        let d = scratch("write-special");
        let fifo = d.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        if made {
            let e = write_file(&fifo, b"x", Overwrite::Replace).unwrap_err();
            assert!(matches!(e.kind, ErrorKind::NotRegular { found: "a FIFO", .. }), "{e}");
            assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        }
        let real = d.join("real.txt");
        std::fs::write(&real, b"kept").unwrap();
        let link = d.join("link.txt");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let e = write_file(&link, b"x", Overwrite::Replace).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::NotRegular { found: "a symbolic link", .. }), "{e}");
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"kept");
        let sub = d.join("sub");
        std::fs::create_dir(&sub).unwrap();
        let e = write_file(&sub, b"x", Overwrite::Replace).unwrap_err();
        assert!(e.to_string().contains("found a directory (left untouched)"), "{e}");
        let mut names = entries(&d);
        names.retain(|n| n != "pipe");
        assert_eq!(names, ["link.txt", "real.txt", "sub"]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn write_files_lands_all_or_none() {
        let d = scratch("write-set");
        let a = d.join("a.json");
        let b = d.join("b.json");
        std::fs::create_dir(&b).unwrap(); // b cannot be written: nothing may land
        let files = vec![(a.clone(), b"A".to_vec()), (b.clone(), b"B".to_vec())];
        assert!(write_files(&files, Overwrite::Replace).is_err());
        assert_eq!(entries(&d), ["b.json"]);
        std::fs::remove_dir(&b).unwrap();
        write_files(&files, Overwrite::Refuse).unwrap();
        assert_eq!(entries(&d), ["a.json", "b.json"]);
        assert_eq!(std::fs::read(&b).unwrap(), b"B");
        // A second time, without Replace: refused before anything is written.
        let files2 = vec![(d.join("c.json"), b"C".to_vec()), (a.clone(), b"A2".to_vec())];
        assert!(matches!(write_files(&files2, Overwrite::Refuse).unwrap_err().kind, ErrorKind::Exists));
        assert_eq!(entries(&d), ["a.json", "b.json"]);
        assert_eq!(std::fs::read(&a).unwrap(), b"A");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn dropped_file_leaves_nothing() {
        let d = scratch("write-drop");
        {
            let mut f = AtomicFile::create(&d.join("x"), Overwrite::Refuse).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(entries(&d).is_empty());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
