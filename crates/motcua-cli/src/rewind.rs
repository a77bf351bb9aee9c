//! An events file the report can read twice (it reads `--events` in two passes, so that its
//! memory stays bounded): a file as it is; a pipe or a socket (`/dev/stdin` fed by a pipe, a
//! process substitution such as `<(zcat events.jsonl.gz)`) copied first into the temporary
//! directory, and the copy removed when the report is done. Devices are never copied (an
//! endless one such as `/dev/zero` would fill the disk).

use crate::error::CliError;
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The events, ready to be read from the start as often as needed.
pub struct Rewindable {
    file: File,
    /// The copy of a stream, removed on drop.
    copy: Option<PathBuf>,
}

impl Rewindable {
    /// Opens `path`; a stream that cannot seek is copied whole to the temporary directory
    /// (`TMPDIR`) first.
    pub fn open(path: &Path) -> Result<Rewindable, CliError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| CliError::Io { path, source }
        };
        let mut file = File::open(path).map_err(io(path))?;
        let kind = file.metadata().map_err(io(path))?.file_type();
        if !is_stream(kind) {
            // A file, or what is not one (a directory, a device): read in place, its errors
            // said as for any file; an endless device is never copied to the disk.
            return Ok(Rewindable { file, copy: None });
        }
        let copy = unused_name();
        let mut out = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&copy)
            .map_err(io(&copy))?;
        let rewindable = Rewindable {
            file: out.try_clone().map_err(io(&copy))?,
            copy: Some(copy.clone()),
        };
        std::io::copy(&mut file, &mut out).map_err(io(path))?;
        out.seek(SeekFrom::Start(0)).map_err(io(&copy))?;
        Ok(rewindable)
    }

    /// The file to read.
    pub fn file(&self) -> &File {
        &self.file
    }
}

impl Drop for Rewindable {
    fn drop(&mut self) {
        if let Some(copy) = &self.copy {
            let _ = std::fs::remove_file(copy);
        }
    }
}

/// Whether `kind` is a pipe or a socket: a stream that cannot be read twice.
#[cfg(unix)]
fn is_stream(kind: std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo() || kind.is_socket()
}

/// Whether `kind` is a stream that cannot be read twice (neither a file nor a directory).
#[cfg(not(unix))]
fn is_stream(kind: std::fs::FileType) -> bool {
    !kind.is_file() && !kind.is_dir()
}

/// A name in the temporary directory no other run uses.
fn unused_name() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    std::env::temp_dir().join(format!(
        "motcua-events-{}-{nanos}.jsonl",
        std::process::id()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_file_or_device_is_read_in_place_and_a_pipe_through_a_copy_that_goes_away() {
        let dir = std::env::temp_dir().join(format!("motcua-rewind-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("events.jsonl");
        std::fs::write(&path, "line 1\nline 2\n").unwrap_or_else(|e| panic!("{e}"));
        let r = Rewindable::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.copy.is_none());
        drop(r);
        // A device is read in place, never copied (an endless one would fill the disk).
        #[cfg(unix)]
        {
            let r = Rewindable::open(Path::new("/dev/null")).unwrap_or_else(|e| panic!("{e}"));
            assert!(r.copy.is_none());
        }

        #[cfg(unix)]
        {
            let mut child = std::process::Command::new("cat")
                .arg(&path)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("{e}"));
            let Some(stdout) = child.stdout.take() else {
                panic!("no pipe")
            };
            use std::os::fd::AsRawFd;
            let fd = PathBuf::from(format!("/proc/self/fd/{}", stdout.as_raw_fd()));
            let r = Rewindable::open(&fd).unwrap_or_else(|e| panic!("{e}"));
            let _ = child.wait();
            let Some(copy) = r.copy.clone() else {
                panic!("a pipe was read in place")
            };
            for _ in 0..2 {
                let mut text = String::new();
                let mut f = r.file();
                f.seek(SeekFrom::Start(0)).unwrap_or_else(|e| panic!("{e}"));
                f.read_to_string(&mut text)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(text, "line 1\nline 2\n");
            }
            assert!(copy.exists());
            drop(r);
            assert!(!copy.exists(), "the copy is left behind");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
