//! `paceback transcribe FILE [--json]`. A recording without speech exits 1 ("no speech
//! detected"), as documented; with `--json` the empty transcript is still printed first.

use crate::cli::TranscribeArgs;
use crate::error::{Error, Result};

pub fn run(args: TranscribeArgs) -> Result<()> {
    let transcript = super::transcribe_file(&args.file, &args.speech, !args.json)?;
    if args.json {
        super::json_out(&transcript)?;
    }
    if transcript.words.is_empty() {
        return Err(Error::NoSpeech(args.file.display().to_string()));
    }
    if !args.json {
        for s in &transcript.segments {
            println!("[{}] {}", crate::time::clock(s.start_s), s.text);
        }
    }
    Ok(())
}
