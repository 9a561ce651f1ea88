//! `xmess-kb serve`: the site and the API.

use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{CorpusDir, IndexDir};
use crate::web::{self, AdvisorSecret, Options};

#[derive(Args)]
pub(super) struct ServeArgs {
    #[command(flatten)]
    corpus: CorpusDir,
    #[command(flatten)]
    index: IndexDir,
    /// Adreça on escolta el servidor.
    #[arg(long, env = "XMESS_KB_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

pub(super) fn run(args: &ServeArgs) -> Result<ExitCode> {
    super::init_logging();
    let advisor_secret = AdvisorSecret::from_env()?;
    super::index::ensure(&args.corpus.corpus, &args.index.index)?;
    let options = Options {
        advisor_secret,
        ..Options::default()
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(web::serve(args.index.index.clone(), args.addr, options))?;
    Ok(ExitCode::SUCCESS)
}
