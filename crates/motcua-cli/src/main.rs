//! `motcua`: reports, explanations and calendar arithmetic over dossier event logs.
//!
//! With no data options every command runs on the bundled sample province-year, so
//! `motcua report` alone shows the main job. `import` and `export` move JSON Lines into and
//! out of a store file, which `report` and `explain` read with `--store FILE`. Exit codes: 0 success, 2 usage, 3 bad input,
//! 4 conflict, 5 a file, the output or a store could not be read or written, 6 a partial
//! report, 7 a damaged store.

mod alarms;
mod allocator;
mod any_store;
mod calendar_cmd;
mod changes;
mod chunks;
mod data;
mod dossiers;
mod error;
mod escape;
mod explain;
mod export;
mod follow;
mod form_cmd;
mod gen_cmd;
mod import;
mod open_list;
mod portal_cmd;
mod report;
mod rewind;
mod text_file;
mod verify;
mod verify_derived;

use clap::{CommandFactory, Parser, Subcommand};

/// mimalloc instead of the system allocator: a desk's list builds and drops thousands of
/// small views in milliseconds, where glibc's allocator spent a quarter of the time (the
/// largest unit's list 38–46 ms → 31–33 ms, a day's alarms 42–58 ms → 33–38 ms, same
/// minutes; BENCHMARKS.md). The libraries leave the choice to their host.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use error::{CliError, EXIT_USAGE};
use std::io::Write;
use std::process::ExitCode;

/// Administrative procedures as event-sourced workflows: due dates, overdue lists and
/// scorecards from a province's dossier events.
#[derive(Debug, Parser)]
#[command(name = "motcua", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Status counts, the overdue list and the scorecard per unit and level.
    Report(report::ReportArgs),
    /// Why a dossier's due is what it is, step by step, and whether it is overdue.
    Explain(explain::ExplainArgs),
    /// Every judgement change in a window, in time order: due soon, overdue, steps' dues,
    /// accept and supplement deadlines, with the dossier and the unit responsible.
    Alarms(alarms::AlarmsArgs),
    /// The dossiers as of an instant, one row each (open ones by default), filtered by unit,
    /// status, time class or procedure: time left or overdue in working days, and the next alarm.
    Dossiers(dossiers::DossiersArgs),
    /// Follow a store: print each newly committed event and each alarm as it falls due, as
    /// JSON Lines, resuming from a checkpoint; stops on SIGINT or SIGTERM.
    Follow(follow::FollowArgs),
    /// A form of Circular 01/2018/TT-VPCP for a dossier (receipt, supplement-request, refusal,
    /// apology, control-sheet; or 01–05), or a unit's tracking log for a period (tracking-log,
    /// 06), as a printable A4 page or JSON.
    Form(form_cmd::FormArgs),
    /// The national-portal record of every dossier changed after a log position, as JSON
    /// Lines, each line with the position it is current to (for a sync job to resume from).
    PortalRecords(portal_cmd::PortalArgs),
    /// Working-time arithmetic on the Vietnamese calendar.
    Calendar(calendar_cmd::CalendarArgs),
    /// Check a JSON Lines events file and append it to a store file, all or nothing.
    Import(import::ImportArgs),
    /// Write a store's events as JSON Lines to standard output, in commit order.
    Export(export::ExportArgs),
    /// Check a whole store: every dossier's hash chain and numbering, every event against the
    /// rules, the log's positions; name each broken dossier and print the store's digest.
    Verify(verify::VerifyArgs),
    /// Generate a deterministic synthetic province-year: catalogue and JSON Lines events.
    Gen(gen_cmd::GenArgs),
    /// Which dossiers a report published at one instant judged differently from what is known
    /// now, and the late-recorded events that explain each difference.
    Changes(changes::ChangesArgs),
    /// Write a shell completion script to standard output (e.g. `motcua completions bash >
    /// /etc/bash_completion.d/motcua`).
    Completions(CompletionsArgs),
    /// Write the man page, motcua(1), to standard output (e.g. `motcua man > motcua.1`).
    Man,
}

/// Arguments of `motcua completions`.
#[derive(Debug, Clone, clap::Args)]
struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return exit(code);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = match &cli.command {
        Command::Report(args) => report::run(args, &mut out),
        Command::Explain(args) => explain::run(args, &mut out),
        Command::Alarms(args) => alarms::run(args, &mut out),
        Command::Dossiers(args) => dossiers::run(args, &mut out),
        Command::Follow(args) => follow::run(args, &mut out),
        Command::Form(args) => form_cmd::run(args, &mut out),
        Command::PortalRecords(args) => portal_cmd::run(args, &mut out),
        Command::Calendar(args) => {
            calendar_cmd::run(args.clone(), &mut escape::Terminal::new(&mut out))
                .map_err(CliError::from)
        }
        Command::Import(args) => {
            allocator::for_a_long_write();
            import::run(args, &mut out)
        }
        Command::Export(args) => export::run(args, &mut out),
        Command::Verify(args) => verify::run(args, &mut out),
        Command::Gen(args) => {
            allocator::for_a_long_write();
            gen_cmd::run(args, &mut out)
        }
        Command::Changes(args) => changes::run(args, &mut out),
        Command::Completions(args) => completions(args.shell, &mut out),
        Command::Man => clap_mangen::Man::new(Cli::command())
            .render(&mut out)
            .map_err(CliError::from),
    };
    let result = result.and_then(|()| out.flush().map_err(CliError::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`motcua report | head`): stop quietly, as Unix tools do.
        Err(CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            drop(out);
            // Messages quote names, ids and paths from outside: no control character reaches
            // the terminal, and the message stays on one line.
            eprintln!("motcua: {}", escape::controls(&e.to_string()));
            exit(e.exit_code())
        }
    }
}

/// Writes the completion script for `shell`; a failed write is an error (clap_complete's
/// `generate` would panic on it).
fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<(), CliError> {
    let mut command = Cli::command();
    command.set_bin_name("motcua");
    command.build();
    clap_complete::Generator::try_generate(&shell, &command, out).map_err(CliError::from)
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
