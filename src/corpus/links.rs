//! Links from one document of the corpus to another (`[text](/document/<id>)`): each must
//! lead to a document, and a public one never to an internal record, which the public
//! cannot open (the link would name it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag};

use super::{CorpusError, Document};
use crate::taxonomy::Visibility;

const PREFIX: &str = "/document/";

/// A link to another document: the id it names, where it is written.
pub(super) struct DocumentLink {
    pub from: usize,
    pub id: String,
    pub path: PathBuf,
    pub line: usize,
}

/// The document links in the body of `text` (a whole corpus file, for line numbers).
pub(super) fn in_file(text: &str, body: &str, from: usize, path: &Path) -> Vec<DocumentLink> {
    let start = text.find(body).unwrap_or(0);
    Parser::new(body)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let id = dest_url.trim().strip_prefix(PREFIX)?.to_string();
                let line = text[..start + range.start].matches('\n').count() + 1;
                Some(DocumentLink {
                    from,
                    id,
                    path: path.to_path_buf(),
                    line,
                })
            }
            _ => None,
        })
        .collect()
}

/// An error for each link that leads nowhere, or from a public document to an internal one.
pub(super) fn check(links: &[DocumentLink], documents: &[Document]) -> Vec<CorpusError> {
    let by_id: HashMap<&str, &Document> = documents.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut errors = Vec::new();
    for link in links {
        let from = &documents[link.from];
        match by_id.get(link.id.as_str()) {
            None => errors.push(CorpusError::new(
                &link.path,
                link.line,
                format!(
                    "l'enllaç a {PREFIX}{} no porta a cap document: cap document del corpus té l'id «{}»; corregiu-lo amb l'id de la capçalera del document que voleu enllaçar",
                    link.id, link.id
                ),
            )),
            Some(to)
                if from.visibility == Visibility::Publica
                    && to.visibility == Visibility::Interna =>
            {
                errors.push(CorpusError::new(
                    &link.path,
                    link.line,
                    format!(
                        "un document públic enllaça el document intern «{}», que el públic no pot obrir; traieu l'enllaç o feu públic el document",
                        link.id
                    ),
                ));
            }
            Some(_) => {}
        }
    }
    errors
}
