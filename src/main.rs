use std::process::ExitCode;

fn main() -> ExitCode {
    match xmess_kb::cli::run() {
        Ok(code) => code,
        Err(e) => {
            // Output piped into `head` and closed early: not an error worth reporting.
            let broken_pipe = e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
