//! One module per subcommand; each turns validated arguments into output.

pub mod analyze;
pub mod model;
pub mod practice;
pub mod questions;
pub mod record;
pub mod transcribe;
