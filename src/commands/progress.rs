//! `paceback progress [--type T] [--since DATE] [--json] [--html FILE]`.

use std::collections::HashMap;
use std::path::Path;
use std::time::SystemTime;

use crate::cli::ProgressArgs;
use crate::error::{Error, Result};
use crate::history::{self, Filter, Index, Store, progress};
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
        (None, None) => "of any type".to_string(),
    };
    if let Some(path) = &args.html {
        let latest = match rows.iter().rev().find(|r| r.figures.answer_s > 0.0) {
            Some(r) => index.take(&r.id)?,
            None => None,
        };
        let latest = latest.and_then(|rec| rec.analysis().ok().map(|a| (rec, a)));
        let drawn = report::progress_html::takes_drawn_alone(&rows);
        let reports = take_reports(&home, &index, &drawn)?;
        let page = report::progress_html::progress_page(
            &rows,
            &scope,
            latest.as_ref().map(|(rec, a)| (rec, a)),
            &|id| reports.get(id).cloned(),
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

/// The report page of each take in `ids` under the history's reports folder, for the progress
/// page to link to: written when missing or older than its take (reanalyzed since), the
/// recording linked, not copied in. By take id, the `file://` address of each page there is; a
/// take whose page cannot be written is left unlinked, with a warning.
fn take_reports(home: &Home, index: &Index, ids: &[&str]) -> Result<HashMap<String, String>> {
    let mut links = HashMap::new();
    if ids.is_empty() {
        return Ok(links);
    }
    let dir = home.reports_dir();
    crate::home::ensure_private_dir(&dir)?;
    let store = Store::open(home)?;
    let lex = report::replay::Replay::lexicon(home);
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    for id in ids {
        let page = dir.join(format!("{id}.html"));
        // Ids come from the index; one that would leave the folder is not linked.
        if !crate::history::take::is_take_id(id) {
            continue;
        }
        let take_changed = store
            .record_path(id)
            .ok()
            .and_then(|p| modified(&p))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let fresh = modified(&page).is_some_and(|made| made >= take_changed);
        if !fresh {
            let written = index.take(id).map_err(anyhow::Error::from).and_then(|rec| {
                let rec = rec.ok_or_else(|| anyhow::anyhow!("not in the history"))?;
                let a = rec.analysis()?;
                let html = super::history::take_report(home, &rec, &a, &lex, true);
                history::write_private(&page, html.as_bytes())
            });
            if let Err(e) = written {
                eprintln!("paceback: warning: no report for take {id}: {e:#}");
                continue;
            }
        }
        links.insert(id.to_string(), report::replay::file_uri(&page));
    }
    Ok(links)
}
