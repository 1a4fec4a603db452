//! The labelled tables under `samples/questions` keep training apart from measuring: no wording
//! or sentence a classifier is trained on may also stand in a table that selects or measures it
//! (an interview classic such as "How many piano tuners are there in Chicago?" is easily written
//! twice by two writers). Compared word by word as paceback normalizes words (`phrases::normalize`).

use std::collections::HashSet;
use std::path::Path;

use paceback::analysis::phrases::normalize;

/// The words as paceback reads them (lowercase, no punctuation around them), one space apart.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .map(normalize)
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `text` of every `[[key]]` entry of a TOML table file.
fn texts(path: &str, key: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let table: toml::Table = toml::from_str(&source).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    table[key]
        .as_array()
        .unwrap_or_else(|| panic!("{path:?} has no [[{key}]]"))
        .iter()
        .map(|entry| normalized(entry["text"].as_str().expect("text")))
        .collect()
}

/// Every entry of the `measuring` tables also in a `training` table, as "PATH: TEXT".
fn overlap(training: &[&str], measuring: &[&str], key: &str) -> Vec<String> {
    let trained: HashSet<String> = training.iter().flat_map(|p| texts(p, key)).collect();
    assert!(trained.len() > 100, "too few training {key}s read");
    measuring
        .iter()
        .flat_map(|p| {
            texts(p, key)
                .into_iter()
                .filter(|t| trained.contains(t))
                .map(move |t| format!("{p}: {t}"))
        })
        .collect()
}

fn assert_apart(training: &[&str], measuring: &[&str], key: &str) {
    let shared = overlap(training, measuring, key);
    assert!(
        shared.is_empty(),
        "in training and in a selection or test table: {shared:#?}"
    );
}

#[test]
fn no_question_wording_is_both_trained_on_and_measured() {
    assert_apart(
        &["src/questions/bank.toml", "samples/questions/train.toml"],
        &[
            "samples/questions/test.toml",
            "samples/questions/test2.toml",
        ],
        "question",
    );
}

#[test]
fn no_content_sentence_is_both_trained_on_and_measured() {
    assert_apart(
        &["samples/questions/content_train.toml"],
        &[
            "samples/questions/content_dev.toml",
            "samples/questions/content_test.toml",
            "samples/questions/content_test2.toml",
            "samples/questions/content_test3.toml",
        ],
        "sentence",
    );
}

#[test]
fn the_overlap_check_finds_a_shared_wording() {
    // The check itself can fail: a test table compared with itself shares every wording.
    let shared = overlap(
        &[
            "samples/questions/test.toml",
            "samples/questions/train.toml",
        ],
        &["samples/questions/test.toml"],
        "question",
    );
    assert_eq!(
        shared.len(),
        texts("samples/questions/test.toml", "question").len()
    );
}
