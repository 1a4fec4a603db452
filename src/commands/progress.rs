//! `paceback progress [--type T] [--since DATE] [--json] [--html FILE]`.

use crate::cli::ProgressArgs;
use crate::error::{Error, Result};
use crate::history::{self, Filter, progress};
use crate::home::Home;
use crate::report::{self, Style};

pub fn run(args: ProgressArgs) -> Result<()> {
    let home = Home::from_env()?;
    let index = history::open_index(&home)?;
    let since_unix = match args.since {
        Some(date) => Some(
            date.to_zoned_datetime(jiff::tz::TimeZone::system())
                .map_err(|e| Error::usage(format!("--since {date}: {e}")))?
                .timestamp()
                .as_second(),
        ),
        None => None,
    };
    let rows = index.rows(
        &Filter {
            qtype: args.qtype,
            since_unix,
        },
        None,
    )?;
    let p = progress::progress(&rows);
    let scope = match (args.qtype, args.since) {
        (Some(t), Some(d)) => format!("of {} questions since {d}", t.label()),
        (Some(t), None) => format!("of {} questions", t.label()),
        (None, Some(d)) => format!("since {d}"),
        (None, None) => "of every type".to_string(),
    };
    if let Some(path) = &args.html {
        let latest = match rows.iter().rev().find(|r| r.figures.answer_s > 0.0) {
            Some(r) => index.take(&r.id)?,
            None => None,
        };
        let latest = latest.and_then(|rec| rec.analysis().ok().map(|a| (rec, a)));
        let page = report::progress_html::progress_page(
            &rows,
            &scope,
            latest.as_ref().map(|(rec, a)| (rec, a)),
        );
        super::history::write_page(path, &page)?;
    }
    if args.json {
        super::json_out(&p)?;
    } else if args.html.is_none() {
        let style = Style::detect();
        print!("{}", report::history::progress(&p, &scope, &style));
        print!(
            "{}",
            report::history::step_mix(&rows, &style, report::mix::terminal_width())
        );
    }
    Ok(())
}
