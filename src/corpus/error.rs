//! Corpus errors: each names the file and line, says what is wrong and how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

impl CorpusError {
    pub fn new(path: &Path, line: usize, message: impl Into<String>) -> CorpusError {
        CorpusError {
            path: path.to_path_buf(),
            line: line.max(1),
            message: message.into(),
        }
    }
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

/// Every problem found in one run over the corpus.
#[derive(Debug, Clone, Default)]
pub struct CorpusErrors(pub Vec<CorpusError>);

impl fmt::Display for CorpusErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.0 {
            writeln!(f, "{e}")?;
        }
        let files: std::collections::BTreeSet<_> = self.0.iter().map(|e| &e.path).collect();
        write!(
            f,
            "{} errors en {} fitxers; no s'ha publicat res",
            self.0.len(),
            files.len()
        )
    }
}

impl std::error::Error for CorpusErrors {}
