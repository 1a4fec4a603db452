//! Word times that end where speech ends: a word never swallows the pause after it.
//!
//! DTW places a word's end at its last token's end. That token used to be the full stop, which
//! whisper "hears" late, at the next sound after the pause: a 4 s pause mid-answer became part of
//! the word before it ("upload." lasting 4.8 s) and vanished from the pause counts. Punctuation
//! no longer moves a word's end ([`super::tokens`]), but a sounding token can still be placed in
//! the pause, and the word after a pause starts where the previous token ended, often inside the
//! pause. The speech detector ([`super::windows`]) knows where the silences are; here each word
//! is put in the stretch of speech it overlaps most and its times are clipped to it, and the
//! first and last word of each stretch are moved onto its edges when DTW left them a little
//! inside (DTW times are ~0.1 s off; the detector's edges are 10 ms frames).

use crate::transcript::Word;

/// The first word of a stretch of speech starts where the stretch starts, and its last word ends
/// where it ends, if that moves the time by at most this much. Further than that, the edge is
/// probably something whisper did not turn into a word (a breath, a dropped filler): the word's
/// own time is kept.
pub const SNAP_S: f64 = 0.3;

/// What becomes of a word that overlaps no stretch of speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// It goes to the nearest stretch: DTW put it in a pause (the sound-level stretches, which
    /// hold all the audio the model heard).
    Move,
    /// It keeps its times: the detector may have missed quiet speech the model did hear (the
    /// voice-activity stretches, which are fitted after the sound-level ones).
    Keep,
}

/// Fit words (in time order) to the stretches of speech `speech` (seconds, in order, not
/// overlapping): each word goes to the stretch it overlaps most (one in a silence as `outside`
/// says), never to one before its predecessor's, and its start and end are clipped to that
/// stretch; then each stretch's first word start and last word end snap to its edges (within
/// [`SNAP_S`]). No stretches: the words are left as they are. Returns whether each word was
/// fitted (with [`Outside::Move`], all of them when there are stretches).
pub fn fit_to_speech(words: &mut [Word], speech: &[(f64, f64)], outside: Outside) -> Vec<bool> {
    if speech.is_empty() {
        return vec![false; words.len()];
    }
    let mut owner: Vec<Option<usize>> = Vec::with_capacity(words.len());
    let mut floor = 0;
    for w in words.iter() {
        let j = stretch_of(w, speech, outside).map(|j| j.max(floor));
        if let Some(j) = j {
            floor = j;
        }
        owner.push(j);
    }
    for (w, j) in words.iter_mut().zip(&owner) {
        if let Some(j) = *j {
            let (a, b) = speech[j];
            w.start_s = w.start_s.clamp(a, b);
            w.end_s = w.end_s.clamp(a, b).max(w.start_s);
        }
    }
    let fitted: Vec<(usize, usize)> = owner
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| (i, j)))
        .collect();
    for (k, &(i, j)) in fitted.iter().enumerate() {
        let (a, b) = speech[j];
        if (k == 0 || fitted[k - 1].1 != j) && words[i].start_s - a <= SNAP_S {
            words[i].start_s = a;
        }
        if (k + 1 == fitted.len() || fitted[k + 1].1 != j) && b - words[i].end_s <= SNAP_S {
            words[i].end_s = b;
        }
    }
    owner.iter().map(Option::is_some).collect()
}

/// The stretch a word belongs to: the one it overlaps most, else (when `outside` moves it) the
/// one nearest to its middle.
fn stretch_of(w: &Word, speech: &[(f64, f64)], outside: Outside) -> Option<usize> {
    let overlap = |&(a, b): &(f64, f64)| w.end_s.min(b) - w.start_s.max(a);
    let mid = (w.start_s + w.end_s) / 2.0;
    let distance = |&(a, b): &(f64, f64)| (a - mid).max(mid - b).max(0.0);
    let mut best = 0;
    for (i, s) in speech.iter().enumerate() {
        if overlap(s) > overlap(&speech[best]) {
            best = i;
        }
    }
    if overlap(&speech[best]) > 0.0 {
        return Some(best);
    }
    // A word DTW gave no duration belongs to the stretch it lies in.
    if let Some(i) = speech
        .iter()
        .position(|&(a, b)| a <= w.start_s && w.end_s <= b)
    {
        return Some(i);
    }
    if outside == Outside::Keep {
        return None;
    }
    for (i, s) in speech.iter().enumerate() {
        if distance(s) < distance(&speech[best]) {
            best = i;
        }
    }
    Some(best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcribe::windows::{WindowConfig, speech_spans_of_levels};

    /// Stretches of speech found in synthetic frame levels (10 ms frames, dB): `parts` are
    /// (seconds, speech?) with speech at -20 dB and silence at -70 dB.
    fn speech(parts: &[(f64, bool)]) -> Vec<(f64, f64)> {
        let mut db = Vec::new();
        for &(secs, loud) in parts {
            let n = (secs * 100.0).round() as usize;
            db.extend((0..n).map(|i| {
                if loud {
                    // syllables: dips of 8 dB every 0.2 s, never a pause
                    -20.0 - if i % 20 < 4 { 8.0 } else { 0.0 }
                } else {
                    -70.0 + (i % 3) as f32
                }
            }));
        }
        speech_spans_of_levels(&db, 16_000, &WindowConfig::default())
            .into_iter()
            .map(|s| (s.start as f64 / 16_000.0, s.end as f64 / 16_000.0))
            .collect()
    }

    fn w(text: &str, start: f64, end: f64) -> Word {
        Word::new(text, start, end)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.011
    }

    #[test]
    fn a_word_does_not_swallow_the_pause_after_it() {
        // speech 1-3 s, a 4 s pause, speech 7-9 s
        let s = speech(&[
            (1.0, false),
            (2.0, true),
            (4.0, false),
            (2.0, true),
            (1.0, false),
        ]);
        assert_eq!(s.len(), 2, "{s:?}");
        // DTW put the full stop of "upload." at the next sound after the pause
        let mut words = vec![
            w("We", 1.05, 1.5),
            w("upload.", 1.5, 7.2),
            w("Then", 7.2, 7.6),
            w("we", 7.6, 8.9),
        ];
        fit_to_speech(&mut words, &s, Outside::Move);
        assert!(close(words[1].end_s, 3.0), "{words:?}");
        assert!(close(words[2].start_s, 7.0), "{words:?}");
        assert!(words[2].start_s - words[1].end_s > 3.9);
        // the stretch's edges: first start and last end snap to them
        assert!(
            close(words[0].start_s, 1.0) && close(words[3].end_s, 9.0),
            "{words:?}"
        );
        // words inside a stretch keep their DTW times
        assert_eq!((words[0].end_s, words[1].start_s), (1.5, 1.5));
    }

    #[test]
    fn a_word_starting_in_the_pause_moves_to_where_its_speech_starts() {
        let s = speech(&[
            (0.5, false),
            (1.5, true),
            (1.5, false),
            (1.5, true),
            (0.5, false),
        ]);
        // "They" starts at the previous token's end, which lies in the pause
        let mut words = vec![
            w("five.", 1.6, 2.2),
            w("They", 2.2, 3.7),
            w("scroll", 3.7, 4.4),
        ];
        fit_to_speech(&mut words, &s, Outside::Move);
        assert!(close(words[0].end_s, 2.0), "{words:?}");
        assert!(close(words[1].start_s, 3.5), "{words:?}");
        assert_eq!(words[1].end_s, 3.7);
    }

    #[test]
    fn a_word_wholly_in_a_silence_goes_to_the_nearest_speech_and_order_is_kept() {
        let s = speech(&[(1.0, true), (3.0, false), (1.0, true)]);
        let mut words = vec![
            w("a", 0.2, 0.9),
            w("b", 1.1, 1.3),
            w("c", 3.8, 3.9),
            w("d", 4.1, 4.8),
        ];
        fit_to_speech(&mut words, &s, Outside::Move);
        assert!(
            close(words[1].start_s, 1.0) && close(words[1].end_s, 1.0),
            "{words:?}"
        );
        assert!(close(words[2].start_s, 4.0), "{words:?}");
        for p in words.windows(2) {
            assert!(p[0].end_s <= p[1].start_s, "{words:?}");
        }
        assert!(words.iter().all(|w| w.start_s <= w.end_s));
    }

    #[test]
    fn a_word_outside_the_voice_keeps_its_times_and_the_rest_are_still_fitted() {
        // Voice heard at 1-3 s and 6-8 s; the model also heard a quiet "um" at 4.0-4.4 s.
        let voice = [(1.0, 3.0), (6.0, 8.0)];
        let mut words = vec![
            w("fine.", 2.5, 3.3),
            w("um", 4.0, 4.4),
            w("Then", 5.8, 6.5),
            w("go.", 7.0, 7.9),
        ];
        fit_to_speech(&mut words, &voice, Outside::Keep);
        assert_eq!((words[1].start_s, words[1].end_s), (4.0, 4.4), "{words:?}");
        assert_eq!(words[0].end_s, 3.0, "{words:?}");
        assert_eq!(words[2].start_s, 6.0, "{words:?}");
        assert_eq!(words[3].end_s, 8.0, "{words:?}");
        // Moved instead, the "um" would collapse onto the nearest edge.
        let mut moved = words.clone();
        moved[1] = w("um", 4.0, 4.4);
        fit_to_speech(&mut moved, &voice, Outside::Move);
        assert_eq!((moved[1].start_s, moved[1].end_s), (3.0, 3.0), "{moved:?}");
    }

    #[test]
    fn a_word_without_duration_belongs_to_the_stretch_it_lies_in() {
        let voice = [(10.43, 11.1)];
        let mut words = vec![w("Love", 10.57, 10.57), w("this", 10.6, 10.87)];
        let fitted = fit_to_speech(&mut words, &voice, Outside::Keep);
        assert_eq!(fitted, vec![true, true]);
        assert!(close(words[0].start_s, 10.43), "{words:?}");
        assert!(words[0].start_s <= words[1].start_s, "{words:?}");
    }

    #[test]
    fn far_edges_are_not_snapped_and_no_speech_changes_nothing() {
        let s = speech(&[(0.5, false), (3.0, true), (0.5, false)]);
        // whisper heard nothing in the first second of the stretch (a breath, a dropped "um")
        let mut words = vec![w("late", 1.5, 2.0), w("early", 2.0, 2.5)];
        fit_to_speech(&mut words, &s, Outside::Move);
        assert_eq!((words[0].start_s, words[1].end_s), (1.5, 2.5));
        let before = words.clone();
        fit_to_speech(&mut words, &[], Outside::Move);
        assert_eq!(words, before);
    }

    #[test]
    fn syllable_dips_are_not_pauses() {
        let s = speech(&[(0.5, false), (6.0, true), (0.5, false)]);
        assert_eq!(s.len(), 1, "{s:?}");
    }
}
