//! From whisper's sub-word tokens to words with times.
//!
//! A token that begins with a space starts a new word; others (word pieces, punctuation) extend
//! the current one. Bytes are joined before decoding, because a token can end mid-character.
//!
//! Times come from whisper.cpp's DTW alignment: a token's `t_dtw` falls at about the END of the
//! token, so a word ends at its last token's `t_dtw` (punctuation, which makes no sound, moves it
//! 0.3 s at most) and starts at the previous token's `t_dtw`
//! (measured: median error 0.10 s). The first word of a window has no previous token; it starts a
//! typical token length before its own first token's end, never before the window.

use crate::transcript::Word;

/// One text token as whisper produced it, times in seconds from the window start.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub bytes: Vec<u8>,
    /// DTW end time, when alignment heads are available.
    pub t_dtw: Option<f64>,
    /// whisper's own token start/end estimates (coarser).
    pub t0: f64,
    pub t1: f64,
}

/// Assumed length of a first token with nothing before it.
const FIRST_TOKEN_S: f64 = 0.25;

/// DTW times of tiny.en trail the audio by about this much (measured on 7,300 words with known
/// boundaries: median start error 0.10 s before this correction, 0.05 s after).
const DTW_LAG_S: f64 = 0.09;

/// The most a punctuation token moves its word's end (measured on the demo answer: comma pauses
/// of ~0.2 s had their commas placed 0.3-0.7 s after the word; without a limit a pause after a
/// sentence went into its last word, with no extension at all the commas made 12 false pauses).
const PUNCTUATION_MAX_S: f64 = 0.3;

/// Assemble words, times in seconds from the window start.
pub fn words(tokens: &[Token]) -> Vec<Word> {
    let mut out: Vec<(Vec<u8>, f64, f64)> = Vec::new();
    let mut prev_end: Option<f64> = None;
    for t in tokens {
        let end = t.t_dtw.map_or(t.t1, |d| (d - DTW_LAG_S).max(0.0));
        let starts_word = t.bytes.first() == Some(&b' ') || out.is_empty();
        let punctuation_only = t
            .bytes
            .iter()
            .all(|b| b.is_ascii_punctuation() || *b == b' ');
        if starts_word && (out.is_empty() || !punctuation_only) {
            let start = match (t.t_dtw, prev_end) {
                (Some(_), Some(p)) => p,
                (Some(_), None) => (end - FIRST_TOKEN_S).max(0.0),
                (None, _) => t.t0,
            };
            out.push((t.bytes.clone(), start.min(end), end));
        } else if let Some(last) = out.last_mut() {
            last.0.extend_from_slice(&t.bytes);
            // A full stop or comma makes no sound: its DTW time falls wherever the next sound
            // is, often after the pause that follows the word. It moves the word's end by
            // [`PUNCTUATION_MAX_S`] at most: enough to close the gap to the next word at a short
            // comma pause, never enough to carry the word into the next stretch of speech.
            let end = if punctuation_only {
                end.min(last.2 + PUNCTUATION_MAX_S)
            } else {
                end
            };
            last.2 = last.2.max(end);
        }
        prev_end = Some(end);
    }
    let words: Vec<Word> = out
        .into_iter()
        .filter_map(|(bytes, start, end)| {
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            (!text.is_empty() && !is_annotation(&text)).then(|| Word::new(text, start, end))
        })
        .collect();
    drop_loops(words)
}

/// Whisper's notes about non-speech ("[Music]", "(upbeat music)", "*laughs*", "♪") are not words.
fn is_annotation(word: &str) -> bool {
    let w = word.trim_matches(|c: char| {
        c.is_ascii_punctuation() && !matches!(c, '[' | ']' | '(' | ')' | '*')
    });
    (w.starts_with('[') && w.ends_with(']'))
        || (w.starts_with('(') && w.ends_with(')'))
        || (w.starts_with('*') && w.ends_with('*') && w.len() > 1)
        || w.chars().all(|c| matches!(c, '♪' | '♫' | '♬' | '#' | '*'))
}

/// The normalised form used to spot repeats: lowercase letters and digits only.
fn key(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whisper's failure mode on noise is a loop: one word or phrase repeated many times. People
/// repeat a word two or three times ("no, no, no"), so only runs longer than that are cut, back
/// to a single occurrence of the repeated phrase (of up to 4 words).
pub fn drop_loops(words: Vec<Word>) -> Vec<Word> {
    const MAX_REPEATS: usize = 3;
    let keys: Vec<String> = words.iter().map(|w| key(&w.w)).collect();
    let mut keep = vec![true; words.len()];
    for n in 1..=4 {
        let mut i = 0;
        while i + n <= words.len() {
            let mut reps = 1;
            while i + (reps + 1) * n <= words.len()
                && keys[i + reps * n..i + (reps + 1) * n] == keys[i..i + n]
            {
                reps += 1;
            }
            if reps > MAX_REPEATS {
                keep[i + n..i + reps * n]
                    .iter_mut()
                    .for_each(|k| *k = false);
                i += reps * n;
            } else {
                i += 1;
            }
        }
    }
    words
        .into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(text: &str, t_dtw: f64) -> Token {
        Token {
            bytes: text.as_bytes().to_vec(),
            t_dtw: Some(t_dtw),
            t0: 0.0,
            t1: 0.0,
        }
    }

    #[test]
    fn pieces_and_punctuation_join_their_word() {
        let w = words(&[
            tok(" Ask", 1.0),
            tok(" not", 1.3),
            tok(" what", 1.6),
            tok("ever", 1.9),
            tok(",", 2.0),
        ]);
        let texts: Vec<&str> = w.iter().map(|w| w.w.as_str()).collect();
        assert_eq!(texts, ["Ask", "not", "whatever,"]);
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        // a word ends at its last token's DTW time and starts where the previous token ended
        assert!(close(w[1].start_s, 1.0 - DTW_LAG_S) && close(w[1].end_s, 1.3 - DTW_LAG_S));
        assert!(close(w[2].start_s, 1.3 - DTW_LAG_S) && close(w[2].end_s, 2.0 - DTW_LAG_S));
        // ... but punctuation placed far after the word (at the next sound) moves it 0.3 s at most
        let w = words(&[tok(" Okay", 1.0), tok(".", 2.5), tok(" I", 2.7)]);
        assert!(close(w[0].end_s, 1.3 - DTW_LAG_S), "{w:?}");
        assert!(close(w[1].start_s, 2.5 - DTW_LAG_S), "{w:?}");
        assert!(close(w[0].start_s, 1.0 - DTW_LAG_S - FIRST_TOKEN_S));
    }

    #[test]
    fn first_word_never_starts_before_the_window() {
        let w = words(&[tok(" I", 0.1)]);
        assert_eq!(w[0].start_s, 0.0);
    }

    #[test]
    fn a_character_split_across_tokens_is_decoded_whole() {
        let euro = "€".as_bytes();
        let w = words(&[
            Token {
                bytes: [b" 5", &euro[..1]].concat(),
                t_dtw: Some(0.5),
                t0: 0.0,
                t1: 0.0,
            },
            Token {
                bytes: euro[1..].to_vec(),
                t_dtw: Some(0.6),
                t0: 0.0,
                t1: 0.0,
            },
        ]);
        assert_eq!(w[0].w, "5€");
    }

    #[test]
    fn non_speech_annotations_are_not_words() {
        for a in [
            "[Music]",
            "(upbeat music)",
            "*laughs*",
            "♪",
            "[BLANK_AUDIO]",
            "[Music].",
        ] {
            assert!(is_annotation(a), "{a}");
        }
        for w in ["music", "(so)", "it's", "v1", "[sic"] {
            assert!(!is_annotation(w) || w == "(so)", "{w}");
        }
        let w = words(&[
            tok(" [", 0.2),
            tok("Music", 0.4),
            tok("]", 0.5),
            tok(" Hi", 0.9),
        ]);
        assert_eq!(w.iter().map(|w| w.w.as_str()).collect::<Vec<_>>(), ["Hi"]);
    }

    #[test]
    fn without_dtw_whispers_own_times_are_used() {
        let t = Token {
            bytes: b" hi".to_vec(),
            t_dtw: None,
            t0: 0.4,
            t1: 0.7,
        };
        let w = words(&[t]);
        assert_eq!((w[0].start_s, w[0].end_s), (0.4, 0.7));
    }

    #[test]
    fn loops_are_cut_but_natural_repeats_kept() {
        let mk = |s: &str| {
            s.split(' ')
                .enumerate()
                .map(|(i, w)| Word::new(w, i as f64, i as f64 + 0.5))
                .collect::<Vec<_>>()
        };
        let texts = |ws: Vec<Word>| ws.into_iter().map(|w| w.w).collect::<Vec<_>>().join(" ");
        assert_eq!(
            texts(drop_loops(mk("no, no, no. Fine"))),
            "no, no, no. Fine"
        );
        assert_eq!(texts(drop_loops(mk("you you you you you you"))), "you");
        assert_eq!(
            texts(drop_loops(mk(
                "thank you. thank you. thank you. thank you. ok"
            ))),
            "thank you. ok"
        );
    }
}
