//! `motcua gen`: a deterministic synthetic province-year as a catalogue file and JSON Lines events.

use crate::error::CliError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Arguments of `motcua gen`.
#[derive(Debug, Clone, clap::Args)]
pub struct GenArgs {
    /// How many dossiers.
    #[arg(long, default_value_t = 6000)]
    pub dossiers: usize,
    /// The seed: the same seed gives the same bytes on any machine.
    #[arg(long, default_value_t = motcua_gen::GenConfig::SAMPLE_SEED)]
    pub seed: u64,
    /// The year (units and procedures follow that year's organisation).
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Directory to write `catalogue.json` and `events.jsonl` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// An I/O error on `path`.
fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Runs `motcua gen`, printing one line that says what was written.
pub fn run(args: &GenArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let config = motcua_gen::GenConfig {
        dossiers: args.dossiers,
        seed: args.seed,
        year: args.year,
    };
    let sample = motcua_gen::generate(&config).map_err(|e| CliError::Usage(e.to_string()))?;
    std::fs::create_dir_all(&args.out).map_err(io(&args.out))?;
    let catalogue_path = args.out.join("catalogue.json");
    std::fs::write(
        &catalogue_path,
        motcua_io::write_catalogue(&sample.catalogue),
    )
    .map_err(io(&catalogue_path))?;
    let events_path = args.out.join("events.jsonl");
    let mut writer = BufWriter::new(File::create(&events_path).map_err(io(&events_path))?);
    // One line at a time: a million dossiers are several million events.
    for event in &sample.events {
        motcua_io::write_event(&mut writer, event)
            .map_err(|e| CliError::Data(format!("{}: {e}", events_path.display())))?;
    }
    writer.flush().map_err(io(&events_path))?;
    writeln!(
        out,
        "wrote {} dossiers ({} events, seed {}, year {}) to {} and {}; judge them as of {}",
        sample.dossier_count(),
        sample.events.len(),
        args.seed,
        args.year,
        catalogue_path.display(),
        events_path.display(),
        crate::format::when(Some(sample.as_of))
            .as_str()
            .unwrap_or("the end of the year"),
    )?;
    Ok(())
}
