//! The one read path: regular files only (checked before the file is opened, so a FIFO never
//! blocks and `/dev/zero` is never read), at most [`INPUT_BYTES`] bytes, lines of line-oriented
//! files at most [`LINE_BYTES`].

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{describe, Error, ErrorKind};
use crate::limits::{Found, INPUT_BYTES, LINE_BYTES};

/// Opens `path` for reading if it is a regular file (a symbolic link to one is followed).
pub fn open(path: &Path) -> Result<File, Error> {
    let meta = std::fs::metadata(path).map_err(|e| Error::os(path, "open", e))?;
    if !meta.is_file() {
        return Err(Error::new(path, ErrorKind::NotRegular { found: describe(meta.file_type()), reading: true }));
    }
    let file = File::open(path).map_err(|e| Error::os(path, "open", e))?;
    // The path may have been replaced between the check and the open.
    let meta = file.metadata().map_err(|e| Error::os(path, "open", e))?;
    if !meta.is_file() {
        return Err(Error::new(path, ErrorKind::NotRegular { found: describe(meta.file_type()), reading: true }));
    }
    Ok(file)
}

/// The whole of `path`, refused if it is not a regular file or has more than [`INPUT_BYTES`]
/// bytes (refused from its size before reading, and again if it grows while read).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, Error> {
    let file = open(path)?;
    let limit = INPUT_BYTES.get();
    let len = file.metadata().map_err(|e| Error::os(path, "read", e))?.len();
    if len > limit {
        return Err(Error::new(path, ErrorKind::TooLarge(INPUT_BYTES.exceeded(Found::Exactly(len), ""))));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| Error::os(path, "read", e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::new(path, ErrorKind::TooLarge(INPUT_BYTES.exceeded(Found::MoreThan(limit), ""))));
    }
    Ok(bytes)
}

/// [`read_bytes`] as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, Error> {
    String::from_utf8(read_bytes(path)?).map_err(|e| Error::new(path, ErrorKind::NotUtf8 { offset: e.utf8_error().valid_up_to() }))
}

/// The lines of a line-oriented regular file (JSON Lines), each at most [`LINE_BYTES`] bytes,
/// read one at a time (the file as a whole is not bounded: it is never held in memory).
pub struct Lines {
    reader: BufReader<File>,
    path: std::path::PathBuf,
    line: u64,
    done: bool,
}

/// Opens `path` for [`Lines`].
pub fn lines(path: &Path) -> Result<Lines, Error> {
    Ok(Lines { reader: BufReader::with_capacity(1 << 16, open(path)?), path: path.to_path_buf(), line: 0, done: false })
}

impl Iterator for Lines {
    /// `(1-based line number, line without its end of line)`.
    type Item = Result<(u64, String), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        self.line += 1;
        let limit = LINE_BYTES.get();
        let mut buf = Vec::new();
        let r = (&mut self.reader).take(limit + 2).read_until(b'\n', &mut buf);
        match r {
            Err(e) => {
                self.done = true;
                Some(Err(Error::os(&self.path, "read", e)))
            }
            Ok(0) => {
                self.done = true;
                None
            }
            Ok(_) => {
                if buf.last() == Some(&b'\n') {
                    buf.pop();
                    if buf.last() == Some(&b'\r') {
                        buf.pop();
                    }
                }
                if buf.len() as u64 > limit {
                    self.done = true;
                    let exceeded = LINE_BYTES.exceeded(Found::MoreThan(limit), "");
                    return Some(Err(Error::new(&self.path, ErrorKind::LineTooLong { line: self.line, exceeded })));
                }
                match String::from_utf8(buf) {
                    Ok(s) => Some(Ok((self.line, s))),
                    Err(e) => {
                        self.done = true;
                        let offset = e.utf8_error().valid_up_to();
                        Some(Err(Error::new(&self.path, ErrorKind::NotUtf8 { offset })))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::tests::scratch;

    #[test]
    fn devices_and_fifos_are_refused_before_reading() {
        let e = read_bytes(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::NotRegular { found: "a character device", .. }), "{e}");
        let dir = scratch("read-fifo");
        let fifo = dir.join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        if made {
            // Opening a FIFO with no writer would block: the refusal must come first.
            let e = read_bytes(&fifo).unwrap_err();
            assert!(matches!(e.kind, ErrorKind::NotRegular { found: "a FIFO", .. }), "{e}");
            assert!(lines(&fifo).is_err());
        }
        let e = read_text(&dir).unwrap_err();
        assert!(e.to_string().contains("found a directory"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn size_at_and_past_the_limit() {
        let dir = scratch("read-size");
        let limit = INPUT_BYTES.get() as usize;
        let at = dir.join("at");
        std::fs::write(&at, vec![b'a'; limit]).unwrap();
        assert_eq!(read_bytes(&at).unwrap().len(), limit);
        let past = dir.join("past");
        std::fs::write(&past, vec![b'a'; limit + 1]).unwrap();
        let e = read_bytes(&past).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e.kind, ErrorKind::TooLarge(_)), "{msg}");
        assert!(msg.contains("input-bytes") && msg.contains(&(limit + 1).to_string()) && msg.contains("--limit input-bytes=N"), "{msg}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn text_must_be_utf8() {
        let dir = scratch("read-utf8");
        let f = dir.join("latin1.xml");
        std::fs::write(&f, b"<a>caf\xe9</a>").unwrap();
        let e = read_text(&f).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::NotUtf8 { offset: 6 }), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lines_at_and_past_the_limit() {
        let dir = scratch("read-lines");
        let limit = LINE_BYTES.get() as usize;
        let f = dir.join("rows.jsonl");
        let mut text = vec![b'x'; limit];
        text.extend_from_slice(b"\r\nshort\nlast");
        std::fs::write(&f, &text).unwrap();
        let got: Vec<_> = lines(&f).unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].1.len(), limit);
        assert_eq!(got[1], (2, "short".to_string()));
        assert_eq!(got[2], (3, "last".to_string()));
        let mut text = vec![b'x'; limit + 1];
        text.push(b'\n');
        std::fs::write(&f, &text).unwrap();
        let e = lines(&f).unwrap().next().unwrap().unwrap_err();
        assert!(matches!(e.kind, ErrorKind::LineTooLong { line: 1, .. }), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
