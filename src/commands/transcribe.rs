//! `paceback transcribe FILE.wav [--json]`.

use crate::cli::TranscribeArgs;
use crate::error::Result;

pub fn run(args: TranscribeArgs) -> Result<()> {
    let transcript = super::transcribe_file(&args.file, &args.speech, !args.json)?;
    if args.json {
        super::json_out(&transcript)?;
    } else if transcript.words.is_empty() {
        println!("no speech found in {}", args.file.display());
    } else {
        for s in &transcript.segments {
            println!("[{}] {}", crate::time::clock(s.start_s), s.text);
        }
    }
    Ok(())
}
