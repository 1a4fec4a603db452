//! Where output goes and how it looks: the one decision about colour (`--color`, `NO_COLOR`,
//! `CLICOLOR_FORCE`, `CLICOLOR`, `TERM=dumb`) and about drawing in place (a real terminal that
//! understands cursor movement), and the versioned envelope every `--json` list is printed in.

use std::io::IsTerminal;
use std::sync::OnceLock;

use serde::Serialize;

/// `--color`: when to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR or TERM=dumb say otherwise (CLICOLOR_FORCE forces it)
    #[default]
    Auto,
    Always,
    Never,
}

/// The two streams paceback writes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Set the `--color` choice once, before anything is printed (later calls are ignored).
pub fn set_color_choice(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Whether to colour what goes to `stream`.
pub fn color(stream: Stream) -> bool {
    decide_color(
        CHOICE.get().copied().unwrap_or_default(),
        |name| std::env::var(name).ok(),
        stream.is_terminal(),
    )
}

/// Whether `stream` is a terminal that can be redrawn in place (panels, progress bars): a tty
/// whose `TERM` is not `dumb`.
pub fn interactive(stream: Stream) -> bool {
    stream.is_terminal() && !dumb_terminal(&|name| std::env::var(name).ok())
}

fn dumb_terminal(env: &impl Fn(&str) -> Option<String>) -> bool {
    env("TERM").is_some_and(|t| t == "dumb")
}

/// The colour decision, from the choice, the environment and whether the stream is a tty. The
/// conventions of <https://no-color.org> and <https://bixense.com/clicolors/>: `--color` wins;
/// then `NO_COLOR` (non-empty) turns colour off, `CLICOLOR_FORCE` (non-empty, not `0`) on;
/// otherwise colour only on a terminal that is not `TERM=dumb` and without `CLICOLOR=0`.
fn decide_color(choice: ColorChoice, env: impl Fn(&str) -> Option<String>, tty: bool) -> bool {
    let set = |name: &str| env(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR").is_some() => false,
        ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        ColorChoice::Auto => {
            tty && !dumb_terminal(&env) && set("CLICOLOR").is_none_or(|v| v != "0")
        }
    }
}

/// While this lives, keys typed on the terminal (the Enter that ends a take) are not echoed, so
/// they cannot move the cursor under a panel being redrawn in place. Dropping it, or exiting
/// through [`restore_terminal`], gives the terminal back as it was.
pub struct EchoOff(());

#[cfg(unix)]
static SAVED_TERMIOS: std::sync::Mutex<Option<libc::termios>> = std::sync::Mutex::new(None);

impl EchoOff {
    pub fn new() -> EchoOff {
        #[cfg(unix)]
        if std::io::stdin().is_terminal() {
            // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed, then filled, termios.
            unsafe {
                let mut t: libc::termios = std::mem::zeroed();
                if libc::tcgetattr(0, &mut t) == 0 {
                    let saved = t;
                    t.c_lflag &= !libc::ECHO;
                    if libc::tcsetattr(0, libc::TCSANOW, &t) == 0 {
                        *SAVED_TERMIOS.lock().unwrap_or_else(|e| e.into_inner()) = Some(saved);
                    }
                }
            }
        }
        EchoOff(())
    }
}

impl Default for EchoOff {
    fn default() -> Self {
        EchoOff::new()
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Give the terminal its echo back, if [`EchoOff`] took it (also on the way out after a second
/// Ctrl-C).
pub fn restore_terminal() {
    #[cfg(unix)]
    if let Ok(mut saved) = SAVED_TERMIOS.try_lock()
        && let Some(t) = saved.take()
    {
        // SAFETY: restores the attributes read from fd 0 by EchoOff::new.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &t);
        }
    }
}

/// `{"schema": SCHEMA, KEY: value}`: how every `--json` list is printed, so a reader can check
/// what it got and later versions can add fields beside the list.
pub fn envelope<T: Serialize>(schema: &str, key: &str, value: &T) -> serde_json::Result<String> {
    let mut map = serde_json::Map::new();
    map.insert("schema".into(), schema.into());
    map.insert(key.into(), serde_json::to_value(value)?);
    serde_json::to_string_pretty(&serde_json::Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn auto_colours_a_terminal_only() {
        assert!(decide_color(ColorChoice::Auto, env(&[]), true));
        assert!(!decide_color(ColorChoice::Auto, env(&[]), false));
        assert!(!decide_color(
            ColorChoice::Auto,
            env(&[("TERM", "dumb")]),
            true
        ));
        assert!(!decide_color(
            ColorChoice::Auto,
            env(&[("CLICOLOR", "0")]),
            true
        ));
        assert!(decide_color(
            ColorChoice::Auto,
            env(&[("TERM", "xterm-256color")]),
            true
        ));
    }

    #[test]
    fn environment_conventions_and_the_flag_order() {
        assert!(!decide_color(
            ColorChoice::Auto,
            env(&[("NO_COLOR", "1")]),
            true
        ));
        // An empty NO_COLOR is unset, by the convention.
        assert!(decide_color(
            ColorChoice::Auto,
            env(&[("NO_COLOR", "")]),
            true
        ));
        assert!(decide_color(
            ColorChoice::Auto,
            env(&[("CLICOLOR_FORCE", "1")]),
            false
        ));
        assert!(!decide_color(
            ColorChoice::Auto,
            env(&[("CLICOLOR_FORCE", "0")]),
            false
        ));
        // NO_COLOR beats CLICOLOR_FORCE; the flag beats both.
        let both = [("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")];
        assert!(!decide_color(ColorChoice::Auto, env(&both), true));
        assert!(decide_color(ColorChoice::Always, env(&both), false));
        assert!(!decide_color(
            ColorChoice::Never,
            env(&[("CLICOLOR_FORCE", "1")]),
            true
        ));
    }

    #[test]
    fn envelope_puts_the_schema_first() {
        let text = envelope("paceback.x/1", "items", &[1, 2]).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema"], "paceback.x/1");
        assert_eq!(v["items"], serde_json::json!([1, 2]));
        assert!(text.trim_start().starts_with("{\n  \"schema\""), "{text}");
    }
}
