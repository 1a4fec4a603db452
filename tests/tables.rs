//! The labelled tables under `samples/questions` keep training apart from measuring: no wording
//! or sentence a classifier is trained on may also stand in a table that selects or measures it
//! (an interview classic such as "How many piano tuners are there in Chicago?" is easily written
//! twice by two writers). Compared after lowercasing and dropping everything but letters, digits
//! and spaces.

use std::collections::HashSet;
use std::path::Path;

fn normalized(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect::<String>()
        .split_whitespace()
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

fn overlap(training: &[&str], measuring: &[&str], key: &str) -> Vec<String> {
    let trained: HashSet<String> = training.iter().flat_map(|p| texts(p, key)).collect();
    assert!(trained.len() > 100, "too few training {key}s read");
    measuring
        .iter()
        .flat_map(|p| texts(p, key).into_iter().map(move |t| format!("{p}: {t}")))
        .filter(|line| trained.contains(line.split_once(": ").expect("path: text").1))
        .collect()
}

#[test]
fn no_question_wording_is_both_trained_on_and_measured() {
    let shared = overlap(
        &["src/questions/bank.toml", "samples/questions/train.toml"],
        &[
            "samples/questions/test.toml",
            "samples/questions/test2.toml",
        ],
        "question",
    );
    assert!(
        shared.is_empty(),
        "in training and in a test table: {shared:#?}"
    );
}

#[test]
fn no_content_sentence_is_both_trained_on_and_measured() {
    let shared = overlap(
        &["samples/questions/content_train.toml"],
        &[
            "samples/questions/content_dev.toml",
            "samples/questions/content_test.toml",
            "samples/questions/content_test2.toml",
        ],
        "sentence",
    );
    assert!(
        shared.is_empty(),
        "in training and in a selection or test table: {shared:#?}"
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
