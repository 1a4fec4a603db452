//! paceback: rehearse interview answers out loud and see where the minutes went.
//!
//! The library holds everything; `main.rs` only parses arguments and reports errors. Domain
//! modules: [`audio`] (WAV and microphone in), [`model`] (speech models), [`transcribe`] (speech
//! to timed words), [`transcript`] (the timed-words format).

pub mod analysis;
pub mod audio;
pub mod cli;
pub mod commands;
pub mod embed;
pub mod error;
pub mod history;
pub mod home;
pub mod interrupt;
pub mod model;
pub mod output;
pub mod play;
pub mod practice;
pub mod progress_bar;
pub mod questions;
pub mod record;
pub mod report;
pub mod time;
pub mod transcribe;
pub mod transcript;
pub mod truth;

pub use error::{Error, Result};
