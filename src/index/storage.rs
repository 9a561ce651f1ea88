//! How a generation's tantivy files are opened for reading. A published generation never
//! changes, so reading it writes nothing and takes no lock (its folder may be read-only);
//! every file's checksum is verified before the part is used; and a part small enough is
//! copied into memory first, so that what is served is exactly what was verified, whatever
//! later happens to the files on disk.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use tantivy::Index;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, FileSlice, Lock, MmapDirectory, RamDirectory,
    WatchCallback, WatchHandle, WritePtr,
};

/// A part up to this size is read into memory; a larger one is memory-mapped.
pub(super) const IN_MEMORY_LIMIT: u64 = 64 << 20;

/// Opens the tantivy index in `dir` for reading and verifies the checksum of every file it
/// uses; the part is read into memory when its files hold at most `in_memory_limit` bytes.
pub(super) fn open(dir: &Path, in_memory_limit: u64) -> Result<Index> {
    let files = index_files(dir)?;
    let size: u64 = files.iter().map(|(_, len)| len).sum();
    let directory: Box<dyn Directory> = if size <= in_memory_limit {
        Box::new(load(dir, &files)?)
    } else {
        Box::new(MmapDirectory::open(dir)?)
    };
    let index = Index::open(ReadOnly(directory))
        .with_context(|| format!("no es pot obrir l'índex de {}", dir.display()))?;
    verify(&index, dir)?;
    Ok(index)
}

/// The files of the index in `dir` and their sizes; tantivy's lock files are not part of it.
fn index_files(dir: &Path) -> Result<Vec<(PathBuf, u64)>> {
    let mut files = Vec::new();
    let entries =
        fs::read_dir(dir).with_context(|| format!("no es pot llegir {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("no es pot llegir {}", dir.display()))?;
        let name = PathBuf::from(entry.file_name());
        let lock = name.to_string_lossy().starts_with(".tantivy-");
        let metadata = entry
            .metadata()
            .with_context(|| format!("no es pot llegir {}", entry.path().display()))?;
        if metadata.is_file() && !lock {
            files.push((name, metadata.len()));
        }
    }
    Ok(files)
}

/// A copy in memory of `files` of `dir`.
fn load(dir: &Path, files: &[(PathBuf, u64)]) -> Result<RamDirectory> {
    let memory = RamDirectory::create();
    for (name, _) in files {
        let path = dir.join(name);
        let bytes =
            fs::read(&path).with_context(|| format!("no es pot llegir {}", path.display()))?;
        memory.atomic_write(name, &bytes)?;
    }
    Ok(memory)
}

/// Fails, naming the files, unless every file of the index matches its checksum.
fn verify(index: &Index, dir: &Path) -> Result<()> {
    let damaged = index.validate_checksum().with_context(|| {
        format!(
            "els fitxers de {} estan malmesos o incomplets; torneu a construir l'índex amb `xmess-kb index`",
            dir.display()
        )
    })?;
    if !damaged.is_empty() {
        let mut names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
        names.sort();
        bail!(
            "{} té fitxers malmesos o canviats després de publicar-los (la suma de verificació no coincideix): {}; torneu a construir l'índex amb `xmess-kb index`",
            dir.display(),
            names.join(", ")
        );
    }
    Ok(())
}

/// A directory that only reads: every write fails, and locks and watches do nothing. Readers
/// lock only against tantivy's garbage collection, which never runs on a published
/// generation; a lock file would also need a writable folder.
#[derive(Clone, Debug)]
struct ReadOnly(Box<dyn Directory>);

fn read_only(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{}: una generació publicada no es modifica mai",
            path.display()
        ),
    )
}

impl Directory for ReadOnly {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.0.open_read(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::wrap_io_error(
            read_only(path),
            path.to_path_buf(),
        ))
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    fn acquire_lock(&self, _lock: &Lock) -> Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{BuildOptions, CURRENT, PUBLIC_PART, build};

    /// Every path under `dir`, relative, sorted.
    fn listing(dir: &Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.path().strip_prefix(dir).ok().map(Path::to_path_buf))
            .collect();
        out.sort();
        out
    }

    /// The public part of a fresh index of the `basic` fixture, without tantivy's lock files.
    fn public_part(index: &Path) -> PathBuf {
        let options = BuildOptions {
            corpus: Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic/corpus"),
            index: index.to_path_buf(),
            dry_run: false,
        };
        build(&options, &mut |_| {}, &|_, _| Ok(())).expect("the fixture builds");
        let name = fs::read_to_string(index.join(CURRENT)).expect("published");
        let part = index.join(name.trim()).join(PUBLIC_PART);
        for file in ["meta", "writer"] {
            let _ = fs::remove_file(part.join(format!(".tantivy-{file}.lock")));
        }
        part
    }

    #[test]
    fn reading_a_part_mapped_or_in_memory_writes_nothing_into_its_folder() {
        for limit in [0, IN_MEMORY_LIMIT] {
            let index = tempfile::tempdir().expect("temp dir");
            let part = public_part(index.path());
            let before = listing(index.path());
            let opened = open(&part, limit).expect("opens");
            let reader = opened.reader().expect("a reader");
            assert!(reader.searcher().num_docs() > 0);
            reader.reload().expect("reloads");
            drop(reader);
            assert_eq!(listing(index.path()), before, "limit {limit}");
        }
    }

    #[test]
    fn a_part_in_memory_is_unaffected_by_its_files_changing() {
        let index = tempfile::tempdir().expect("temp dir");
        let part = public_part(index.path());
        let opened = open(&part, IN_MEMORY_LIMIT).expect("opens");
        let docs = opened.reader().expect("a reader").searcher().num_docs();
        for (name, _) in index_files(&part).expect("files") {
            fs::write(part.join(name), b"").expect("truncate");
        }
        let reader = opened.reader().expect("a reader");
        assert_eq!(reader.searcher().num_docs(), docs);
        assert!(open(&part, IN_MEMORY_LIMIT).is_err());
        assert!(open(&part, 0).is_err());
    }
}
