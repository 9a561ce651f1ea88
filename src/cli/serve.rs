//! `xmess-kb serve`: the site and the API.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use clap::Args;

use super::{CorpusDir, IndexDir};
use crate::web::{self, AdvisorSecret, Limits, Links, Options, TrustedProxies};

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
    /// Connexions obertes alhora com a màxim; les que passin d'aquí es tanquen de seguida. Una
    /// connexió que no envia la capçalera de la petició en 10 s (també si està inactiva) es
    /// tanca. El límit de fitxers oberts del sistema s'apuja si cal, i el màxim no el supera.
    #[arg(
        long,
        env = "XMESS_KB_MAX_CONNECTIONS",
        value_name = "N",
        default_value_t = 4096,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000)
    )]
    max_connections: u32,
    /// Servidors intermediaris de confiança: adreces IP o rangs CIDR separats per comes, per
    /// exemple 127.0.0.1 o 10.0.0.0/8. Només de les connexions que arriben d'aquestes adreces es
    /// creuen X-Forwarded-For (l'adreça del client, per limitar-ne els intents d'accés) i
    /// X-Forwarded-Proto (si ha arribat per HTTPS); de qualsevol altra, s'ignoren.
    #[arg(
        long,
        env = "XMESS_KB_TRUSTED_PROXY",
        value_name = "ADRECES",
        value_delimiter = ','
    )]
    trusted_proxy: Vec<String>,
}

pub(super) fn run(args: &ServeArgs) -> Result<ExitCode> {
    super::init_logging();
    // Every setting is checked before the index is built: a mistake stops at once.
    let advisor_secret = AdvisorSecret::from_env()?;
    let origin = format!("http://{}", args.addr);
    let links = Links::configure(
        args.public_url.as_deref(),
        args.base_path.as_deref(),
        &origin,
    )
    .map_err(anyhow::Error::msg)?;
    let trusted_proxies = TrustedProxies::parse(&args.trusted_proxy)
        .map_err(|e| anyhow::anyhow!("--trusted-proxy (XMESS_KB_TRUSTED_PROXY): {e}"))?;
    let engine = super::index::ensure(&args.corpus.corpus, &args.index.index)?;
    let options = Options {
        advisor_secret,
        links,
        trusted_proxies,
        engine: Some(Arc::new(engine)),
        ..Options::default()
    };
    let wanted = usize::try_from(args.max_connections).unwrap_or(usize::MAX);
    let limits = Limits::from_env(web::connections_that_fit(wanted));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(web::serve(
        args.index.index.clone(),
        args.addr,
        options,
        limits,
    ))?;
    Ok(ExitCode::SUCCESS)
}
