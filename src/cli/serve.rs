//! `xmess-kb serve`: the site and the API.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use clap::Args;

use super::{CorpusDir, IndexDir};
use crate::web::{self, AdvisorSecret, Links, Options};

#[derive(Args)]
pub(super) struct ServeArgs {
    #[command(flatten)]
    corpus: CorpusDir,
    #[command(flatten)]
    index: IndexDir,
    /// Adreça on escolta el servidor.
    #[arg(long, env = "XMESS_KB_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Adreça pública del web, per exemple https://xmess.cat/cercador: els enllaços absoluts
    /// del canal Atom i del CSV comencen aquí (mai amb la capçalera Host de la petició). Sense
    /// ella, http://ADREÇA.
    #[arg(long, env = "XMESS_KB_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// Ruta sota la qual un servidor intermediari publica el web, per exemple /cercador: tots
    /// els enllaços, formularis, fitxers i redireccions la porten, i el servidor intermediari
    /// no l'ha de treure. Per defecte, la ruta de --public-url.
    #[arg(long, env = "XMESS_KB_BASE_PATH", value_name = "RUTA")]
    base_path: Option<String>,
}

pub(super) fn run(args: &ServeArgs) -> Result<ExitCode> {
    super::init_logging();
    let advisor_secret = AdvisorSecret::from_env()?;
    let engine = super::index::ensure(&args.corpus.corpus, &args.index.index)?;
    let origin = format!("http://{}", args.addr);
    let links = Links::configure(
        args.public_url.as_deref(),
        args.base_path.as_deref(),
        &origin,
    )
    .map_err(anyhow::Error::msg)?;
    let options = Options {
        advisor_secret,
        links,
        engine: Some(Arc::new(engine)),
        ..Options::default()
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(web::serve(args.index.index.clone(), args.addr, options))?;
    Ok(ExitCode::SUCCESS)
}
