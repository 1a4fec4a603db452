//! Turning an [`Analysis`](crate::analysis::Analysis) into what people read.

pub mod charts;
pub mod compare;
pub mod explain;
pub mod history;
pub mod html;
pub mod mix;
pub mod progress_html;
pub mod replay;
pub mod terminal;

pub use explain::explain;
pub use terminal::{Style, terminal};
