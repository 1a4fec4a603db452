//! Cue phrases as small word patterns, matched against normalized transcript words.
//!
//! Pattern syntax (space-separated tokens):
//! - `word` matches that word (case-insensitive; punctuation around transcript words is ignored)
//! - `pre*` matches any word starting with `pre`
//! - `*` matches any one word; `**` any zero to three words
//! - `a|b|c*` matches any of the alternatives

use std::fmt;

/// Lowercase, straight apostrophes, no surrounding punctuation: `"Today,"` → `today`.
pub fn normalize(word: &str) -> String {
    let lower = word
        .to_lowercase()
        .replace(['\u{2019}', '\u{2018}', '`'], "'");
    lower
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// Normalized forms of a word list, with empty results (pure punctuation) kept as "" so indices
/// stay aligned with the words.
pub fn normalize_all<S: AsRef<str>>(words: &[S]) -> Vec<String> {
    words.iter().map(|w| normalize(w.as_ref())).collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Alt {
    Exact(String),
    Prefix(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Any,
    Gap,
    Alts(Vec<Alt>),
}

/// Longest run `**` may skip.
const MAX_GAP: usize = 3;

/// Most `**` gaps in one phrase (each multiplies the ways it can match by `MAX_GAP + 1`).
const MAX_GAPS: usize = 3;

/// Most words (and wildcards) in one phrase.
const MAX_TOKENS: usize = 16;

/// A compiled cue phrase.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    tokens: Vec<Tok>,
    source: String,
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Pattern {
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut tokens = Vec::new();
        for raw in source.split_whitespace() {
            tokens.push(match raw {
                "*" => Tok::Any,
                "**" => Tok::Gap,
                _ => Tok::Alts(
                    raw.split('|')
                        .map(|alt| {
                            let (word, prefix) = match alt.strip_suffix('*') {
                                Some(w) => (w, true),
                                None => (alt, false),
                            };
                            let word = normalize(word);
                            if word.is_empty() {
                                return Err(format!("empty word in cue phrase `{source}`"));
                            }
                            Ok(if prefix {
                                Alt::Prefix(word)
                            } else {
                                Alt::Exact(word)
                            })
                        })
                        .collect::<Result<_, _>>()?,
                ),
            });
        }
        if tokens.is_empty()
            || matches!(tokens.first(), Some(Tok::Gap))
            || matches!(tokens.last(), Some(Tok::Gap))
        {
            return Err(format!(
                "cue phrase `{source}` must not be empty, start or end with `**`"
            ));
        }
        if !tokens.iter().any(|t| matches!(t, Tok::Alts(_))) {
            return Err(format!(
                "cue phrase `{source}` needs at least one word (`*` alone matches anything)"
            ));
        }
        // Each `**` multiplies the ways a phrase can match; a few keep matching instant.
        if tokens.iter().filter(|t| matches!(t, Tok::Gap)).count() > MAX_GAPS {
            return Err(format!(
                "cue phrase `{source}` has more than {MAX_GAPS} `**` gaps; split it into shorter phrases"
            ));
        }
        if tokens.len() > MAX_TOKENS {
            return Err(format!(
                "cue phrase `{source}` is longer than {MAX_TOKENS} words"
            ));
        }
        Ok(Pattern {
            tokens,
            source: source.to_string(),
        })
    }

    /// Number of literal words: longer phrases are more specific.
    pub fn specificity(&self) -> usize {
        self.tokens
            .iter()
            .filter(|t| matches!(t, Tok::Alts(_)))
            .count()
    }

    /// Match against the non-empty words `seq` from position `i`; the end position on success.
    fn match_seq(&self, seq: &[&str], i: usize) -> Option<usize> {
        fn go(tokens: &[Tok], seq: &[&str], i: usize) -> Option<usize> {
            let Some((tok, rest)) = tokens.split_first() else {
                return Some(i);
            };
            match tok {
                Tok::Any => (i < seq.len()).then(|| go(rest, seq, i + 1)).flatten(),
                Tok::Gap => (0..=MAX_GAP)
                    .take_while(|skip| i + skip <= seq.len())
                    .find_map(|skip| go(rest, seq, i + skip)),
                Tok::Alts(alts) => {
                    let w = *seq.get(i)?;
                    let hit = alts.iter().any(|a| match a {
                        Alt::Exact(x) => w == x,
                        Alt::Prefix(p) => w.starts_with(p.as_str()),
                    });
                    hit.then(|| go(rest, seq, i + 1)).flatten()
                }
            }
        }
        go(&self.tokens, seq, i)
    }

    /// If the pattern matches starting at `words[at]`, the index just past the match. Words that
    /// were pure punctuation (empty after normalizing) are skipped over.
    pub fn match_at(&self, words: &[String], at: usize) -> Option<usize> {
        if words.get(at).is_none_or(|w| w.is_empty()) {
            return None;
        }
        // No pattern spans more than its tokens plus gaps; a bounded look-ahead keeps this O(1).
        let reach = (at + self.tokens.len() * (MAX_GAP + 1) + 8).min(words.len());
        let compact = Compact::new(&words[at..reach]);
        self.match_seq(&compact.seq, 0)
            .map(|n| at + compact.end_of(n))
    }

    /// Every (start, end) where the pattern matches, in word indices.
    pub fn find_all(&self, words: &[String]) -> Vec<(usize, usize)> {
        let compact = Compact::new(words);
        (0..compact.seq.len())
            .filter_map(|i| {
                self.match_seq(&compact.seq, i)
                    .map(|n| (compact.index[i], compact.end_of(n)))
            })
            .collect()
    }

    pub fn is_match(&self, words: &[String]) -> bool {
        let compact = Compact::new(words);
        (0..compact.seq.len()).any(|i| self.match_seq(&compact.seq, i).is_some())
    }
}

/// The non-empty words of a slice, with their original indices.
struct Compact<'a> {
    seq: Vec<&'a str>,
    index: Vec<usize>,
}

impl<'a> Compact<'a> {
    fn new(words: &'a [String]) -> Self {
        let (index, seq) = words
            .iter()
            .enumerate()
            .filter(|(_, w)| !w.is_empty())
            .map(|(i, w)| (i, w.as_str()))
            .unzip();
        Compact { seq, index }
    }

    /// Original index just past the first `n` compact words.
    fn end_of(&self, n: usize) -> usize {
        if n == 0 { 0 } else { self.index[n - 1] + 1 }
    }
}

/// Parse a list of phrases, naming the list in errors.
pub fn compile(list: &str, sources: &[String]) -> Result<Vec<Pattern>, String> {
    sources
        .iter()
        .map(|s| Pattern::parse(s).map_err(|e| format!("{list}: {e}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        normalize_all(&s.split_whitespace().collect::<Vec<_>>())
    }

    fn m(p: &str, s: &str) -> bool {
        Pattern::parse(p).unwrap().is_match(&words(s))
    }

    #[test]
    fn normalizes_case_and_punctuation() {
        assert_eq!(normalize("Today,"), "today");
        assert_eq!(normalize("I\u{2019}d"), "i'd");
        assert_eq!(normalize("\"nice-to-have\"."), "nice-to-have");
        assert_eq!(normalize("..."), "");
    }

    #[test]
    fn literal_prefix_any_and_alternatives() {
        assert!(m("the biggest risk", "So the biggest risk is adoption"));
        assert!(!m("the biggest risk", "the biggest win"));
        assert!(m("frustrat*", "they get frustrated"));
        assert!(m("i'd|i|we'd measure", "We'd measure retention"));
        assert!(m("this is a * question", "This is a strategy question."));
        assert!(!m("this is a * question", "this is a question"));
    }

    #[test]
    fn gaps_skip_up_to_three_words() {
        assert!(m("measure ** success", "measure success"));
        assert!(m(
            "measure ** success",
            "measure the overall product success"
        ));
        assert!(!m(
            "measure ** success",
            "measure one two three four success"
        ));
    }

    #[test]
    fn match_end_is_reported_in_original_indices() {
        let w = words("well , the biggest risk");
        let p = Pattern::parse("the biggest risk").unwrap();
        assert_eq!(p.find_all(&w), vec![(2, 5)]);
    }

    #[test]
    fn punctuation_only_words_are_transparent() {
        let w = normalize_all(&["we", "-", "would", "not", "build"]);
        assert!(Pattern::parse("we would not build").unwrap().is_match(&w));
    }

    #[test]
    fn bad_patterns_are_rejected_with_the_list_name() {
        assert!(Pattern::parse("** risk").is_err());
        assert!(Pattern::parse("").is_err());
        assert!(Pattern::parse("risk **").is_err());
        assert!(m("* years old", "she is forty years old"));
        let err = compile("steps.risks.openers", &["ok".into(), "| |".into()]).unwrap_err();
        assert!(err.starts_with("steps.risks.openers"), "{err}");
    }

    #[test]
    fn phrases_that_match_everything_or_backtrack_without_end_are_refused() {
        for bad in ["*", "* *", "a ** b ** c ** d ** e", &"w ".repeat(20)] {
            assert!(Pattern::parse(bad).is_err(), "{bad:?} was accepted");
        }
        // the most gaps allowed still matches in no time over a long text of near-misses
        let p = Pattern::parse("a ** a ** a ** b").unwrap();
        let words: Vec<String> = std::iter::repeat_n("a".to_string(), 5_000).collect();
        assert!(p.find_all(&words).is_empty());
    }
}
