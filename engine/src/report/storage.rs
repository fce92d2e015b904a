//! Where exported reports go: a file name the caller chose, confined to the storage root,
//! written atomically.
//!
//! * The name is relative (no leading `/`), made of plain components (no `.`, `..`, empty
//!   or NUL-bearing ones), at most [`MAX_NAME`] bytes. Subdirectories are created as needed.
//! * Nothing below the root may be a symbolic link on the way to the file, and the file
//!   itself must not be one: a link planted in the storage directory cannot redirect a
//!   write elsewhere. The parent's canonical path is checked to lie inside the root's.
//! * Writes go to a temporary file in the target directory (`create_new`, never followed
//!   through a link), are flushed to disk, then published: by `hard_link` when an existing
//!   file must not be replaced (fails atomically if the name appeared meanwhile) or by
//!   `rename` when it may. A [`PendingFile`] dropped before [`PendingFile::publish`]
//!   removes its temporary file, so a failed export leaves nothing behind.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Longest accepted file name (relative path), in bytes.
pub const MAX_NAME: usize = 255;

#[derive(Debug)]
pub enum StorageError {
    /// The storage root is not an existing absolute directory.
    BadRoot(String),
    /// The requested name breaks a rule; the message says which.
    BadName(String),
    /// A symbolic link lies on the path.
    Symlink(PathBuf),
    /// The file exists and overwriting was not asked for.
    Exists(PathBuf),
    Io(io::Error),
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::BadRoot(m) | StorageError::BadName(m) => f.write_str(m),
            StorageError::Symlink(p) => write!(f, "\"{}\" is a symbolic link; exports never follow links", p.display()),
            StorageError::Exists(p) => write!(f, "\"{}\" already exists", p.display()),
            StorageError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for StorageError {}

impl From<io::Error> for StorageError {
    fn from(e: io::Error) -> Self {
        StorageError::Io(e)
    }
}

/// Checks `name` and returns its plain components.
pub fn check_name(name: &str) -> Result<Vec<String>, StorageError> {
    let bad = |why: &str| Err(StorageError::BadName(format!("file_name {name:?} {why}")));
    if name.is_empty() {
        return bad("is empty");
    }
    if name.len() > MAX_NAME {
        return bad(&format!("is longer than {MAX_NAME} bytes"));
    }
    if name.contains('\0') {
        return bad("contains a NUL byte");
    }
    if name.starts_with('/') {
        return bad("is absolute; it must be relative to cafe24_analytics.report_storage_path");
    }
    let mut parts = Vec::new();
    for raw in name.split('/') {
        match Path::new(raw).components().next() {
            _ if raw.is_empty() => return bad("has an empty path component"),
            Some(Component::Normal(c)) if c == raw => {}
            _ => return bad("has a \".\" or \"..\" component"),
        }
        if raw.starts_with('.') {
            return bad("has a component starting with \".\" (hidden and temporary files start so)");
        }
        if raw.trim() != raw {
            return bad("has a component starting or ending with white space");
        }
        if raw.chars().any(|c| c.is_control() || matches!(c, '"' | '\'' | '\\')) {
            return bad("contains a control character, a quote or a backslash");
        }
        parts.push(raw.to_string());
    }
    Ok(parts)
}

/// A file being written under the root; see the module docs.
#[derive(Debug)]
pub struct PendingFile {
    temp: Option<PathBuf>,
    target: PathBuf,
    file: File,
    overwrite: bool,
}

/// Creates the temporary file for `name` under `root`, making subdirectories as needed.
pub fn create(root: &Path, name: &str, overwrite: bool) -> Result<PendingFile, StorageError> {
    if !root.is_absolute() {
        return Err(StorageError::BadRoot(format!("storage path \"{}\" is not absolute", root.display())));
    }
    match fs::metadata(root) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(StorageError::BadRoot(format!("storage path \"{}\" is not a directory", root.display()))),
        Err(e) => return Err(StorageError::BadRoot(format!("storage path \"{}\": {e}", root.display()))),
    }
    let parts = check_name(name)?;
    let (file_name, dirs) = parts.split_last().expect("check_name returns at least one part");
    let mut dir = root.to_path_buf();
    for d in dirs {
        dir.push(d);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => return Err(StorageError::Symlink(dir)),
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(StorageError::BadName(format!("\"{}\" exists and is not a directory", dir.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e.into()),
            },
            Err(e) => return Err(e.into()),
        }
    }
    let (canon_root, canon_dir) = (fs::canonicalize(root)?, fs::canonicalize(&dir)?);
    if !canon_dir.starts_with(&canon_root) {
        return Err(StorageError::Symlink(dir));
    }
    let target = dir.join(file_name);
    match fs::symlink_metadata(&target) {
        Ok(m) if m.file_type().is_symlink() => return Err(StorageError::Symlink(target)),
        Ok(m) if !m.is_file() => {
            return Err(StorageError::BadName(format!("\"{}\" exists and is not a file", target.display())))
        }
        Ok(_) if !overwrite => return Err(StorageError::Exists(target)),
        _ => {}
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let temp = dir.join(format!(".{file_name}.{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let file = OpenOptions::new().write(true).read(true).create_new(true).open(&temp)?;
    Ok(PendingFile { temp: Some(temp), target, file, overwrite })
}

impl PendingFile {
    /// The open temporary file (write the report into a `try_clone` of it).
    pub fn file(&self) -> &File {
        &self.file
    }

    /// Lower-case hex SHA-256 of what has been written so far.
    pub fn sha256(&self) -> io::Result<String> {
        use std::io::{Seek, SeekFrom};
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(0))?;
        sha256_reader(f)
    }

    /// Where the file will appear.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Flushes to disk and makes the file appear under its name.
    pub fn publish(mut self) -> Result<PathBuf, StorageError> {
        self.file.sync_all()?;
        let temp = self.temp.take().expect("publish runs once");
        let result = if self.overwrite {
            fs::rename(&temp, &self.target)
        } else {
            fs::hard_link(&temp, &self.target).and_then(|()| fs::remove_file(&temp))
        };
        if let Err(e) = result {
            let _ = fs::remove_file(&temp);
            return Err(match e.kind() {
                io::ErrorKind::AlreadyExists => StorageError::Exists(self.target.clone()),
                _ => e.into(),
            });
        }
        if let Some(dir) = self.target.parent() {
            // Make the rename durable; not every file system supports it, so best effort.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(self.target.clone())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = fs::remove_file(temp);
        }
    }
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(data))
}

/// Lower-case hex SHA-256 of a file's contents, read in 64 KiB blocks.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    sha256_reader(File::open(path)?)
}

/// Lower-case hex SHA-256 of everything `r` reads, in 64 KiB blocks.
fn sha256_reader(mut r: impl io::Read) -> io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match r.read(&mut buf)? {
            0 => break,
            n => h.update(&buf[..n]),
        }
    }
    Ok(hex(&h.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn scratch(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("c24-storage-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn sha256_known_answers() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let root = scratch("sha");
        fs::write(root.join("f"), b"abc").unwrap();
        assert_eq!(sha256_file(&root.join("f")).unwrap(), sha256_hex(b"abc"));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(check_name("monthly/2026-10.pdf").unwrap(), vec!["monthly", "2026-10.pdf"]);
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "a/",
            ".",
            "x\0y",
            "..hidden",
            ".r.pdf.1.2.tmp",
            " r.pdf",
            "r.pdf ",
            "a/ b/c",
            "r\n.pdf",
            "r\t.pdf",
            "\"r\".pdf",
            "it's.pdf",
            "a\\b.pdf",
        ] {
            assert!(matches!(check_name(bad), Err(StorageError::BadName(_))), "{bad:?} accepted");
        }
        assert!(check_name(&"a".repeat(256)).is_err());
        assert_eq!(check_name("월간 매출/2026년 10월.pdf").unwrap(), vec!["월간 매출", "2026년 10월.pdf"]);
    }

    #[test]
    fn publishes_atomically_and_refuses_to_replace() {
        let root = scratch("publish");
        let p = create(&root, "sub/dir/r.csv", false).unwrap();
        p.file().try_clone().unwrap().write_all(b"a,b\r\n").unwrap();
        assert_eq!(entries(&root.join("sub/dir")).len(), 1, "only the temporary file exists before publish");
        assert!(!root.join("sub/dir/r.csv").exists());
        let path = p.publish().unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,b\r\n");
        assert_eq!(entries(&root.join("sub/dir")), vec!["r.csv"]);

        assert!(matches!(create(&root, "sub/dir/r.csv", false), Err(StorageError::Exists(_))));
        let p = create(&root, "sub/dir/r.csv", true).unwrap();
        p.file().try_clone().unwrap().write_all(b"new").unwrap();
        p.publish().unwrap();
        assert_eq!(fs::read(root.join("sub/dir/r.csv")).unwrap(), b"new");
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_dropped_file_leaves_nothing() {
        let root = scratch("drop");
        {
            let p = create(&root, "r.pdf", false).unwrap();
            p.file().try_clone().unwrap().write_all(b"partial").unwrap();
        }
        assert!(entries(&root).is_empty());
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn symlinks_never_lead_out() {
        let root = scratch("link");
        let outside = scratch("outside");
        std::os::unix::fs::symlink(&outside, root.join("out")).unwrap();
        assert!(matches!(create(&root, "out/x.csv", false), Err(StorageError::Symlink(_))));
        std::os::unix::fs::symlink(outside.join("victim"), root.join("victim.csv")).unwrap();
        assert!(matches!(create(&root, "victim.csv", true), Err(StorageError::Symlink(_))));
        assert!(entries(&outside).is_empty());
        assert!(matches!(create(Path::new("relative"), "x", false), Err(StorageError::BadRoot(_))));
        assert!(matches!(create(&root.join("missing"), "x", false), Err(StorageError::BadRoot(_))));
        fs::remove_dir_all(root).unwrap();
        fs::remove_dir_all(outside).unwrap();
    }
}
