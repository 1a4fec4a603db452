//! Turning an [`Analysis`](crate::analysis::Analysis) into what people read.

pub mod explain;
pub mod terminal;

pub use explain::explain;
pub use terminal::{Style, terminal};
