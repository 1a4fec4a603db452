//! One module per subcommand; each turns validated arguments into output.

pub mod analyze;
pub mod history;
pub mod model;
pub mod practice;
pub mod progress;
pub mod questions;
pub mod record;
pub mod transcribe;
