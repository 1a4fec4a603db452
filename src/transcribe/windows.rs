//! Where the speech is, and how to cut it into windows whisper can take whole.
//!
//! Whisper sees 30 s at a time. Letting whisper.cpp seek through a long file by its own timestamps
//! was measured to skip speech and invent words in trailing silence; cutting the audio ourselves at
//! pauses, into windows of at most ~28 s that hold speech, avoids both and sends no silence to the
//! model at all (silence is where it hallucinates). Pure functions over samples, no model.

/// Analysis frame: 10 ms at 16 kHz.
const FRAME: usize = 160;

/// Tunables for speech detection and windowing, in seconds unless noted.
#[derive(Debug, Clone, Copy)]
pub struct WindowConfig {
    /// Longest window handed to whisper.
    pub max_window_s: f64,
    /// Pauses shorter than this do not split speech.
    pub min_pause_s: f64,
    /// Speech bursts shorter than this are clicks, not speech.
    pub min_speech_s: f64,
    /// Audio kept before the first and after the last speech of a window.
    pub pad_s: f64,
    /// Pauses inside a window longer than this are shortened to it. Measured: shortening
    /// sentence pauses (to 0.4 s) cost 0.4 points of WER for no reliable speed gain, so only long
    /// silences (a speaker thinking mid-answer) are cut, where whisper would waste time or invent
    /// words.
    pub max_pause_s: f64,
}

impl Default for WindowConfig {
    fn default() -> Self {
        WindowConfig {
            max_window_s: 29.0,
            min_pause_s: 0.3,
            min_speech_s: 0.12,
            pad_s: 0.2,
            max_pause_s: 1.0,
        }
    }
}

/// A span of samples `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// Mean square of each frame about its own mean (the last frame may be short). About the mean,
/// not zero: a microphone's DC offset (a constant bias, common on cheap USB microphones) as
/// loud as a quiet voice would otherwise stand above it in every frame, and no speech would be
/// found. A frame is 10 ms, so a voice (70 Hz and up) keeps nearly all its power.
fn frame_power(samples: &[f32]) -> Vec<f32> {
    samples
        .chunks(FRAME)
        .map(|f| {
            let n = f.len() as f32;
            let mean = f.iter().sum::<f32>() / n;
            f.iter().map(|s| (s - mean) * (s - mean)).sum::<f32>() / n
        })
        .collect()
}

/// Mean square of each frame's first difference (`prev` is the sample before `samples`): its
/// high frequencies. The hiss of an "s" or a "t" stands out of room noise there, which is mostly
/// low, where the frame's whole power does not.
fn frame_brightness(samples: &[f32], mut prev: f32) -> Vec<f32> {
    samples
        .chunks(FRAME)
        .map(|f| {
            let mut sum = 0.0;
            for s in f {
                sum += (s - prev) * (s - prev);
                prev = *s;
            }
            sum / f.len() as f32
        })
        .collect()
}

/// What a recording's frames say about where its speech is: their power and brightness (see
/// [`frame_brightness`]), 800 bytes a second of audio instead of the 64,000 the audio takes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FrameLevels {
    /// Samples in the recording.
    pub len: usize,
    pub power: Vec<f32>,
    pub brightness: Vec<f32>,
}

impl FrameLevels {
    pub fn of(samples: &[f32]) -> FrameLevels {
        FrameLevels {
            len: samples.len(),
            power: frame_power(samples),
            brightness: frame_brightness(samples, 0.0),
        }
    }
}

/// A frame's level in dB relative to full scale (silence floors at -120).
fn db(power: f32) -> f32 {
    (10.0 * power.max(1e-12).log10()).max(-120.0)
}

/// Frame levels in dB relative to full scale.
fn frame_db(samples: &[f32]) -> Vec<f32> {
    frame_power(samples).into_iter().map(db).collect()
}

/// The [`FrameLevels`] of a recording, gathered while its audio streams by: what
/// [`windows_of_levels`] needs to cut it.
#[derive(Debug, Default)]
pub struct Levels {
    levels: FrameLevels,
    partial: Vec<f32>,
    /// The sample before `partial`.
    prev: f32,
}

impl Levels {
    pub fn push(&mut self, mut samples: &[f32]) {
        self.levels.len += samples.len();
        if !self.partial.is_empty() {
            let take = (FRAME - self.partial.len()).min(samples.len());
            self.partial.extend_from_slice(&samples[..take]);
            samples = &samples[take..];
            if self.partial.len() == FRAME {
                let frame = std::mem::take(&mut self.partial);
                self.add(&frame);
            }
        }
        let whole = samples.len() / FRAME * FRAME;
        self.add(&samples[..whole]);
        self.partial.extend_from_slice(&samples[whole..]);
    }

    fn add(&mut self, frames: &[f32]) {
        if let Some(last) = frames.last() {
            self.levels.power.extend(frame_power(frames));
            self.levels
                .brightness
                .extend(frame_brightness(frames, self.prev));
            self.prev = *last;
        }
    }

    /// The levels of the whole recording (its last frame may be short).
    pub fn finish(mut self) -> FrameLevels {
        let rest = std::mem::take(&mut self.partial);
        self.add(&rest);
        self.levels
    }
}

fn percentile(sorted: &[f32], p: f32) -> f32 {
    sorted[((sorted.len() - 1) as f32 * p).round() as usize]
}

/// Frames per block over which "loud" is judged (30 s).
const BLOCK_FRAMES: usize = 3_000;

/// How loud the loudest 30 s block is (its 95th percentile frame).
fn loudest_block(db: &[f32]) -> f32 {
    db.chunks(BLOCK_FRAMES)
        .filter(|block| block.len() >= BLOCK_FRAMES / 10 || block.len() == db.len())
        .map(|block| {
            let mut b = block.to_vec();
            b.sort_by(f32::total_cmp);
            percentile(&b, 0.95)
        })
        .fold(f32::MIN, f32::max)
}

/// The level above which a frame is speech, from the levels seen so far: well above the noise
/// floor. `None` when nothing stands out from the floor (silence or constant noise).
///
/// The floor is the whole recording's; "loud" is that of its loudest 30 s block, so 11 s of speech
/// followed by minutes of room noise is still found (a whole-file percentile saw only the noise).
fn threshold(db: &[f32]) -> Option<f32> {
    threshold_and_floor(db).map(|(t, _)| t)
}

/// [`threshold`] and the floor it stands on.
fn threshold_and_floor(db: &[f32]) -> Option<(f32, f32)> {
    if db.is_empty() {
        return None;
    }
    let mut sorted = db.to_vec();
    sorted.sort_by(f32::total_cmp);
    // Speech dips between syllables and words, so even talk without pauses has quiet frames.
    let floor = percentile(&sorted, 0.02);
    let loud = loudest_block(db);
    if loud - floor < 12.0 || loud < -65.0 {
        return None;
    }
    Some((speech_level(floor, loud), floor))
}

/// Where speech stands above a `floor` in a recording whose speech is as `loud` as that: 30% of
/// the way up, and at least 10 dB over the floor.
fn speech_level(floor: f32, loud: f32) -> f32 {
    floor + (0.3 * (loud - floor)).max(10.0)
}

/// For each 10 s block, the brightness (dB) a frame at the edge of a stretch of speech must have
/// to be part of it: halfway from the block's own floor of brightness to where speech would
/// stand above it (infinite where nothing in the recording is brighter than the block's floor).
/// The block's own floor, so that hiss (bright noise) after a gated silence is not taken for
/// the end of a word.
fn bright_edges(bright: &[f32]) -> Vec<f32> {
    let loud = loudest_block(bright);
    bright
        .chunks(NOISE_BLOCK_FRAMES)
        .map(|block| {
            let mut b = block.to_vec();
            b.sort_by(f32::total_cmp);
            let floor = percentile(&b, 0.02);
            if loud - floor < 12.0 {
                f32::INFINITY
            } else {
                edge(speech_level(floor, loud), floor)
            }
        })
        .collect()
}

/// Where between the floor (0) and the threshold (1) the edges of a stretch of speech end.
const EDGE: f32 = 0.5;

/// How far the edges of a stretch of speech reach beyond its frames above the threshold: a soft
/// ending ("s", "st", a breathy vowel) lasts a few tenths of a second.
const REACH_S: f64 = 0.4;

/// Spans of the `frames` frames (starting at sample `offset`) that are `above` the speech
/// threshold: runs joined across short gaps and clicks dropped; each stretch then reaches out,
/// either way, over frames that still `reach` the edge level, for at most [`REACH_S`] (a soft
/// word ending under room noise is quieter than the threshold but still speech). In samples,
/// clipped to `end`.
fn spans_above(
    frames: usize,
    above: &dyn Fn(usize) -> bool,
    reach: &dyn Fn(usize) -> bool,
    offset: usize,
    end: usize,
    rate: u32,
    config: &WindowConfig,
) -> Vec<Span> {
    let frames_per_s = f64::from(rate) / FRAME as f64;
    let min_gap = (config.min_pause_s * frames_per_s).round() as usize;
    let min_run = (config.min_speech_s * frames_per_s).round() as usize;
    let max_reach = (REACH_S * frames_per_s).round() as usize;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < frames {
        if above(i) {
            let start = i;
            while i < frames && above(i) {
                i += 1;
            }
            match runs.last_mut() {
                Some(last) if start - last.1 < min_gap => last.1 = i,
                _ => runs.push((start, i)),
            }
        } else {
            i += 1;
        }
    }
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(runs.len());
    for (mut s, mut e) in runs.into_iter().filter(|(s, e)| e - s >= min_run) {
        let (s0, e0) = (s, e);
        while s > 0 && s0 - s < max_reach && reach(s - 1) {
            s -= 1;
        }
        while e < frames && e - e0 < max_reach && reach(e) {
            e += 1;
        }
        match spans.last_mut() {
            Some(last) if s < last.1 + min_gap => last.1 = last.1.max(e),
            _ => spans.push((s, e)),
        }
    }
    spans
        .into_iter()
        .map(|(s, e)| Span {
            start: offset + s * FRAME,
            end: (offset + e * FRAME).min(end),
        })
        .collect()
}

/// Spans of speech: frames well above the recording's own noise floor, with short gaps bridged
/// and clicks dropped. Empty when the audio is silent or constant noise.
pub fn speech_spans(samples: &[f32], rate: u32, config: &WindowConfig) -> Vec<Span> {
    speech_spans_of(&FrameLevels::of(samples), rate, config)
}

/// [`speech_spans`] of a recording known by its frame levels.
fn speech_spans_of(levels: &FrameLevels, rate: u32, config: &WindowConfig) -> Vec<Span> {
    let level_db: Vec<f32> = levels.power.iter().copied().map(db).collect();
    let bright_db: Vec<f32> = levels.brightness.iter().copied().map(db).collect();
    let mut spans = speech_spans_with(&level_db, Some(&bright_db), rate, config);
    if let Some(last) = spans.last_mut() {
        last.end = last.end.min(levels.len);
    }
    spans
}

/// [`speech_spans`] of frame levels (dB of 10 ms frames at `rate`) rather than samples.
#[cfg(test)]
pub(crate) fn speech_spans_of_levels(db: &[f32], rate: u32, config: &WindowConfig) -> Vec<Span> {
    speech_spans_with(db, None, rate, config)
}

/// Speech spans from frame levels (dB) and, when known, frame brightness (dB): a stretch's edges
/// reach over frames still halfway above the floor in level, or in brightness, for at most
/// [`REACH_S`].
fn speech_spans_with(
    db: &[f32],
    bright: Option<&[f32]>,
    rate: u32,
    config: &WindowConfig,
) -> Vec<Span> {
    let Some((t, floor)) = threshold_and_floor(db) else {
        return Vec::new();
    };
    let by_block = block_thresholds(db, t, floor);
    let level = |i: usize| by_block[i / NOISE_BLOCK_FRAMES];
    let bright_edges = bright.map(|b| (b, bright_edges(b)));
    let above = |i: usize| db[i] > level(i).0;
    let reach = |i: usize| {
        db[i] > level(i).1
            || bright_edges
                .as_ref()
                .is_some_and(|(b, edges)| b[i] > edges[i / NOISE_BLOCK_FRAMES])
    };
    spans_above(db.len(), &above, &reach, 0, db.len() * FRAME, rate, config)
}

/// Frames per block in which steady noise is looked for (10 s).
const NOISE_BLOCK_FRAMES: usize = 1_000;

/// The threshold `t` of a whole recording, raised in each 10 s block that holds nothing but
/// steady noise (its loudest tenth within 12 dB of its quietest frames, and 20 dB below the
/// recording's loud speech) to that block's own floor plus the same margin. A recording's floor
/// can come from a few seconds of digital silence (a gated microphone, a device warming up);
/// minutes of room noise after it then sat well above that floor and were heard as speech, which
/// whisper turned into "um, uh, you know". A word said in such a block still stands far above
/// its noise.
fn block_thresholds(db: &[f32], t: f32, floor: f32) -> Vec<(f32, f32)> {
    let loud = loudest_block(db);
    let mut by_block: Vec<(f32, f32)> = Vec::new();
    for block in db.chunks(NOISE_BLOCK_FRAMES) {
        // A stub of a block at the end is judged with the one before it.
        if block.len() < NOISE_BLOCK_FRAMES / 10 {
            let before = by_block.last().copied().unwrap_or((t, edge(t, floor)));
            by_block.push(before);
            continue;
        }
        let mut b = block.to_vec();
        b.sort_by(f32::total_cmp);
        let (block_floor, high) = (percentile(&b, 0.02), percentile(&b, 0.90));
        let raised = speech_level(block_floor, loud);
        by_block.push(
            if high - block_floor < 12.0 && high < loud - 20.0 && raised > t {
                (raised, edge(raised, block_floor))
            } else {
                (t, edge(t, floor))
            },
        );
    }
    by_block
}

/// The level a stretch of speech reaches out over at its edges: halfway from the floor to the
/// threshold.
fn edge(threshold: f32, floor: f32) -> f32 {
    floor + EDGE * (threshold - floor)
}

/// What whisper hears at once: stretches of speech from the recording, each with up to `pad_s`
/// of its own silence on either side, played back to back. Long pauses are thereby shortened
/// (to at most 2 × `pad_s`) and the encoder's 30 s are spent on speech; every moment of the
/// window maps back to one moment of the recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Recording sample ranges, in order, non-overlapping.
    pub parts: Vec<Span>,
    /// Where the speech detector heard speech inside the window (recording samples, in order):
    /// word times are fitted to these (see [`super::pauses`]). Empty: no fitting.
    pub speech: Vec<Span>,
}

impl Window {
    /// Length in samples.
    pub fn len(&self) -> usize {
        self.parts.iter().map(Span::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The window's audio.
    pub fn samples(&self, recording: &[f32]) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.len());
        for p in &self.parts {
            out.extend_from_slice(&recording[p.start..p.end]);
        }
        out
    }

    /// Recording time of a moment `t` seconds into the window (clamped to the window).
    pub fn to_recording(&self, t: f64, rate: u32) -> f64 {
        let rate = f64::from(rate);
        let mut at = (t.max(0.0) * rate).round() as usize;
        for p in &self.parts {
            if at < p.len() {
                return (p.start + at) as f64 / rate;
            }
            at -= p.len();
        }
        self.parts.last().map_or(0.0, |p| p.end as f64 / rate)
    }

    /// Window time of recording time `t`, if `t` falls inside one of the parts.
    pub fn to_window(&self, t: f64, rate: u32) -> Option<f64> {
        let at = (t * f64::from(rate)).round() as usize;
        let mut before = 0;
        for p in &self.parts {
            if (p.start..p.end).contains(&at) {
                return Some((before + at - p.start) as f64 / f64::from(rate));
            }
            before += p.len();
        }
        None
    }

    /// First and last recording sample covered.
    pub fn extent(&self) -> Span {
        Span {
            start: self.parts.first().map_or(0, |p| p.start),
            end: self.parts.last().map_or(0, |p| p.end),
        }
    }
}

/// Cut speech into windows of at most `max_window_s` of audio, packing as much speech per
/// window as fits (see [`Window`]). A stretch of speech longer than a window with no pause is
/// cut at its quietest point.
pub fn windows(samples: &[f32], rate: u32, config: &WindowConfig) -> Vec<Window> {
    windows_of_levels(&FrameLevels::of(samples), rate, config)
}

/// [`windows`] of a recording known by its frame levels (see [`Levels`]).
pub fn windows_of_levels(levels: &FrameLevels, rate: u32, config: &WindowConfig) -> Vec<Window> {
    let spans = speech_spans_of(levels, rate, config);
    let spans = split_long(&levels.power, rate, spans, config);
    group(
        &spans,
        Span {
            start: 0,
            end: levels.len,
        },
        rate,
        config,
    )
}

/// Pack speech spans found inside `region` into windows.
fn group(spans: &[Span], region: Span, rate: u32, config: &WindowConfig) -> Vec<Window> {
    if spans.is_empty() {
        return Vec::new();
    }
    let secs = |s: f64| (s * f64::from(rate)) as usize;
    let (max, pad, max_pause) = (
        secs(config.max_window_s),
        secs(config.pad_s),
        secs(config.max_pause_s),
    );
    // Silence before span i (to the region's start, or to span i-1) and after it.
    let gap_before = |i: usize| {
        if i == 0 {
            spans[0].start - region.start
        } else {
            spans[i].start - spans[i - 1].end
        }
    };
    let gap_after = |i: usize| spans.get(i + 1).map_or(region.end, |n| n.start) - spans[i].end;
    // Edge padding never reaches past the middle of a pause shared with a neighbour.
    let lead = |i: usize| {
        pad.min(if i == 0 {
            gap_before(0)
        } else {
            gap_before(i) / 2
        })
    };
    let tail = |i: usize| {
        pad.min(if i + 1 == spans.len() {
            gap_after(i)
        } else {
            gap_after(i) / 2
        })
    };
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut len = 0;
    for (i, span) in spans.iter().enumerate() {
        let joined = groups.last().map(|g| {
            let prev = *g.last().expect("groups are never empty");
            len - tail(prev) + gap_before(i).min(max_pause) + span.len() + tail(i)
        });
        match joined {
            Some(l) if l <= max => {
                groups.last_mut().expect("checked").push(i);
                len = l;
            }
            _ => {
                groups.push(vec![i]);
                len = lead(i) + span.len() + tail(i);
            }
        }
    }
    groups
        .into_iter()
        .map(|g| {
            let first = g[0];
            let mut parts = vec![Span {
                start: spans[first].start - lead(first),
                end: spans[first].end,
            }];
            for &i in &g[1..] {
                let gap = gap_before(i);
                let last = parts.last_mut().expect("one part at least");
                if gap <= max_pause {
                    last.end = spans[i].end;
                } else {
                    // Keep half the allowed pause on each side of the cut.
                    last.end += max_pause / 2;
                    parts.push(Span {
                        start: spans[i].start - (max_pause - max_pause / 2),
                        end: spans[i].end,
                    });
                }
            }
            let last_span = *g.last().expect("groups are never empty");
            parts.last_mut().expect("one part at least").end += tail(last_span);
            // A long stretch cut at its quietest frame (`split_long`) is still one stretch.
            let mut speech: Vec<Span> = Vec::with_capacity(g.len());
            for &i in &g {
                match speech.last_mut() {
                    Some(last) if spans[i].start <= last.end => last.end = spans[i].end,
                    _ => speech.push(spans[i]),
                }
            }
            Window { parts, speech }
        })
        .collect()
}

/// Windows cut while a recording is still going, so that transcription keeps up with the
/// speaker: as soon as at least `min_window_s` of audio is waiting and the speaker pauses, the
/// audio up to the middle of the pause becomes windows (as [`windows`] would make them). The
/// speech threshold comes from all the audio heard so far.
pub struct LiveWindower {
    config: WindowConfig,
    rate: u32,
    audio: Vec<f32>,
    db: Vec<f32>,
    /// Samples already handed out as windows (a multiple of the frame length).
    done: usize,
    threshold: Option<f32>,
    speech_start: Option<usize>,
}

/// Wait for at least this much audio before cutting a window: shorter windows cost as much
/// encoder time as full ones.
const LIVE_MIN_WINDOW_S: f64 = 8.0;
/// A pause this long ends a live window.
const LIVE_PAUSE_S: f64 = 0.5;

impl LiveWindower {
    pub fn new(rate: u32, config: WindowConfig) -> Self {
        LiveWindower {
            config,
            rate,
            audio: Vec::new(),
            db: Vec::new(),
            done: 0,
            threshold: None,
            speech_start: None,
        }
    }

    /// All the audio so far (window parts index into it).
    pub fn audio(&self) -> &[f32] {
        &self.audio
    }

    /// When speech began, in seconds, once heard.
    pub fn speech_started(&self) -> Option<f64> {
        self.speech_start.map(|s| s as f64 / f64::from(self.rate))
    }

    /// Add audio; returns the windows now ready.
    pub fn push(&mut self, samples: &[f32]) -> Vec<Window> {
        let frames_before = self.db.len();
        self.audio.extend_from_slice(samples);
        let complete = self.audio.len() / FRAME;
        self.db.extend(frame_db(
            &self.audio[frames_before * FRAME..complete * FRAME],
        ));
        // Re-estimate the threshold about every 0.2 s of audio.
        if complete / 20 != frames_before / 20 || self.threshold.is_none() {
            self.threshold = threshold(&self.db);
        }
        let Some(t) = self.threshold else {
            return Vec::new();
        };
        if self.speech_start.is_none() {
            self.speech_start = self.db.iter().position(|d| *d > t).map(|f| f * FRAME);
        }
        let frames_per_s = f64::from(self.rate) / FRAME as f64;
        let first = self.done / FRAME;
        let pending = complete - first;
        if (pending as f64) < LIVE_MIN_WINDOW_S * frames_per_s {
            return Vec::new();
        }
        let pause = (LIVE_PAUSE_S * frames_per_s) as usize;
        let quiet_tail = self.db[first..complete]
            .iter()
            .rev()
            .take_while(|d| **d <= t)
            .count();
        let full = (pending as f64) >= (self.config.max_window_s - 1.0) * frames_per_s;
        if quiet_tail >= pause && quiet_tail < pending {
            // Cut in the middle of the pause the speaker is in.
            self.cut_at((complete - quiet_tail / 2) * FRAME)
        } else if full {
            // No pause for a window's length: cut at the last short pause, or the quietest frame.
            let db = &self.db[first..complete];
            let min_gap = (self.config.min_pause_s * frames_per_s) as usize;
            let mut cut = None;
            let mut run = 0;
            for (i, d) in db.iter().enumerate() {
                run = if *d <= t { run + 1 } else { 0 };
                if run >= min_gap {
                    cut = Some(i + 1 - run / 2);
                }
            }
            let cut = cut.unwrap_or_else(|| {
                (db.len() / 2..db.len())
                    .min_by(|a, b| db[*a].total_cmp(&db[*b]))
                    .unwrap_or(db.len())
            });
            self.cut_at((first + cut) * FRAME)
        } else {
            Vec::new()
        }
    }

    /// The recording ended: everything left, as windows.
    pub fn finish(&mut self) -> Vec<Window> {
        self.threshold = threshold(&self.db);
        let end = self.audio.len();
        self.cut_at(end)
    }

    fn cut_at(&mut self, cut: usize) -> Vec<Window> {
        let cut = cut.min(self.audio.len());
        let region = Span {
            start: self.done,
            end: cut,
        };
        self.done = cut;
        let Some(t) = self.threshold else {
            return Vec::new();
        };
        let db = &self.db[region.start / FRAME..(cut / FRAME).min(self.db.len())];
        let above = |i: usize| db[i] > t;
        let spans = spans_above(
            db.len(),
            &above,
            &|_| false,
            region.start,
            cut,
            self.rate,
            &self.config,
        );
        group(&spans, region, self.rate, &self.config)
    }
}

/// Split spans longer than a window (less padding) at their quietest frame (by the frames'
/// mean square, `power`), repeatedly.
fn split_long(power: &[f32], rate: u32, spans: Vec<Span>, config: &WindowConfig) -> Vec<Span> {
    let limit = ((config.max_window_s - 2.0 * config.pad_s) * f64::from(rate)) as usize;
    let mut out = Vec::with_capacity(spans.len());
    for mut span in spans {
        while span.len() > limit {
            // Search the second half of the allowed length for the quietest frame to cut at.
            let from = (span.start + limit / 2).div_ceil(FRAME) * FRAME;
            let to = span.start + limit - FRAME;
            let cut = (from..to)
                .step_by(FRAME)
                .min_by(|&a, &b| power[a / FRAME].total_cmp(&power[b / FRAME]))
                .unwrap_or(to);
            out.push(Span {
                start: span.start,
                end: cut,
            });
            span.start = cut;
        }
        out.push(span);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 16_000;

    /// Build audio from (seconds, is_speech) parts: speech is a loud modulated tone, silence is a
    /// faint noise floor.
    fn audio(parts: &[(f64, bool)]) -> Vec<f32> {
        let mut out = Vec::new();
        let mut seed = 1u32;
        for &(secs, speech) in parts {
            for i in 0..(secs * RATE as f64) as usize {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let noise = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                let t = i as f32 / RATE as f32;
                out.push(if speech {
                    0.3 * (t * 220.0 * std::f32::consts::TAU).sin()
                        * (0.6 + 0.4 * (t * 4.0).sin().abs())
                } else {
                    0.001 * noise
                });
            }
        }
        out
    }

    fn secs(span: &Span) -> (f64, f64) {
        (
            span.start as f64 / RATE as f64,
            span.end as f64 / RATE as f64,
        )
    }

    #[test]
    fn finds_speech_between_pauses() {
        let a = audio(&[
            (6.0, false),
            (2.0, true),
            (1.0, false),
            (3.0, true),
            (2.0, false),
        ]);
        let spans = speech_spans(&a, RATE, &WindowConfig::default());
        assert_eq!(spans.len(), 2, "{spans:?}");
        let (s0, e0) = secs(&spans[0]);
        let (s1, e1) = secs(&spans[1]);
        assert!(
            (s0 - 6.0).abs() < 0.02 && (e0 - 8.0).abs() < 0.02,
            "{s0} {e0}"
        );
        assert!(
            (s1 - 9.0).abs() < 0.02 && (e1 - 12.0).abs() < 0.02,
            "{s1} {e1}"
        );
    }

    #[test]
    fn short_gaps_are_bridged_and_clicks_dropped() {
        let a = audio(&[
            (1.0, false),
            (1.0, true),
            (0.1, false),
            (1.0, true),
            (2.0, false),
            (0.03, true),
            (1.0, false),
        ]);
        let spans = speech_spans(&a, RATE, &WindowConfig::default());
        assert_eq!(spans.len(), 1, "{spans:?}");
        let (s, e) = secs(&spans[0]);
        assert!((s - 1.0).abs() < 0.02 && (e - 3.1).abs() < 0.02, "{s} {e}");
    }

    #[test]
    fn a_short_answer_in_a_long_noisy_recording_is_found() {
        // 11 s of speech, then over four minutes of quiet hiss
        let a = audio(&[
            (1.0, false),
            (5.0, true),
            (0.5, false),
            (5.5, true),
            (250.0, false),
        ]);
        let spans = speech_spans(&a, RATE, &WindowConfig::default());
        assert_eq!(spans.len(), 2, "{spans:?}");
        let (s0, _) = secs(&spans[0]);
        let (_, e1) = secs(&spans[1]);
        assert!(
            (s0 - 1.0).abs() < 0.05 && (e1 - 12.0).abs() < 0.05,
            "{s0} {e1}"
        );
    }

    #[test]
    fn room_noise_after_digital_silence_is_not_speech() {
        // A gated microphone: 20 s of exact zeros and speech (the recording's floor is the
        // zeros), then five minutes of room noise well above that floor; a word said in it is
        // still found.
        let mut a = vec![0.0; 10 * RATE as usize];
        a.extend(audio(&[(8.0, true)]));
        a.extend(vec![0.0; 2 * RATE as usize]);
        let noise = |secs: f64, seed: &mut u32| -> Vec<f32> {
            (0..(secs * RATE as f64) as usize)
                .map(|_| {
                    *seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    0.006 * ((*seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5)
                })
                .collect()
        };
        let mut seed = 7;
        a.extend(noise(200.0, &mut seed));
        a.extend(audio(&[(0.6, true)]));
        a.extend(noise(100.0, &mut seed));
        let spans = speech_spans(&a, RATE, &WindowConfig::default());
        let found: Vec<(f64, f64)> = spans.iter().map(secs).collect();
        assert_eq!(spans.len(), 2, "{found:?}");
        assert!(
            (found[0].0 - 10.0).abs() < 0.05 && (found[0].1 - 18.0).abs() < 0.05,
            "{found:?}"
        );
        assert!(
            (found[1].0 - 220.0).abs() < 0.05,
            "the word in the noise: {found:?}"
        );
    }

    #[test]
    fn a_soft_hiss_under_low_rumble_still_ends_the_word() {
        // A low hum (the room) everywhere; a vowel, then 0.25 s of a faint "s" (white noise
        // quieter than the hum, but brighter), then a pause. The stretch ends after the "s".
        let n = 6 * RATE as usize;
        let mut seed = 3u32;
        let a: Vec<f32> = (0..n)
            .map(|i| {
                let t = i as f32 / RATE as f32;
                let hum = 0.02 * (t * 60.0 * std::f32::consts::TAU).sin();
                let vowel = if (1.0..2.0).contains(&t) {
                    0.3 * (t * 220.0 * std::f32::consts::TAU).sin()
                } else {
                    0.0
                };
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let white = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                let hiss = if (2.0..2.25).contains(&t) {
                    0.01 * white
                } else {
                    0.0
                };
                hum + vowel + hiss
            })
            .collect();
        let spans = speech_spans(&a, RATE, &WindowConfig::default());
        let found: Vec<(f64, f64)> = spans.iter().map(secs).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!((found[0].0 - 1.0).abs() < 0.03, "{found:?}");
        assert!(
            (found[0].1 - 2.25).abs() < 0.03,
            "the hiss is part of the word: {found:?}"
        );
    }

    #[test]
    fn silence_and_constant_noise_have_no_speech() {
        let cfg = WindowConfig::default();
        assert!(speech_spans(&vec![0.0; RATE as usize * 5], RATE, &cfg).is_empty());
        assert!(speech_spans(&audio(&[(5.0, false)]), RATE, &cfg).is_empty());
        assert!(windows(&[], RATE, &cfg).is_empty());
    }

    #[test]
    fn windows_start_after_the_think_pause_and_shorten_long_pauses() {
        let a = audio(&[
            (7.0, false),
            (5.0, true),
            (0.8, false),
            (5.0, true),
            (6.0, false),
            (5.0, true),
            (3.0, false),
        ]);
        let w = windows(&a, RATE, &WindowConfig::default());
        assert_eq!(w.len(), 1, "{w:?}");
        let (s, e) = secs(&w[0].extent());
        assert!(
            (s - 6.8).abs() < 0.03,
            "window starts at {s}, 0.2 s before the first word"
        );
        assert!((e - 29.0).abs() < 0.03, "window ends at {e}");
        // the 0.8 s pause is kept whole; the 6 s pause becomes 1 s
        assert_eq!(w[0].parts.len(), 2, "{w:?}");
        let heard = w[0].len() as f64 / RATE as f64;
        assert!(
            (heard - (0.2 + 5.0 + 0.8 + 5.0 + 1.0 + 5.0 + 0.2)).abs() < 0.03,
            "{heard}"
        );
    }

    #[test]
    fn window_time_maps_back_to_recording_time() {
        let win = Window {
            speech: Vec::new(),
            parts: vec![
                Span {
                    start: 16_000,
                    end: 32_000,
                },
                Span {
                    start: 80_000,
                    end: 96_000,
                },
            ],
        };
        assert_eq!(win.to_recording(0.5, RATE), 1.5);
        assert_eq!(win.to_recording(1.25, RATE), 5.25);
        assert_eq!(win.to_recording(9.0, RATE), 6.0);
        assert_eq!(win.to_window(5.25, RATE), Some(1.25));
        assert_eq!(win.to_window(3.0, RATE), None);
        let rec: Vec<f32> = (0..100_000).map(|i| i as f32).collect();
        let s = win.samples(&rec);
        assert_eq!((s.len(), s[0], s[16_000]), (32_000, 16_000.0, 80_000.0));
    }

    #[test]
    fn windows_never_exceed_the_limit_and_cover_all_speech() {
        let mut parts = vec![(2.0, false)];
        for _ in 0..20 {
            parts.push((4.0, true));
            parts.push((0.6, false));
        }
        let a = audio(&parts);
        let cfg = WindowConfig::default();
        let w = windows(&a, RATE, &cfg);
        assert!(w.len() >= 3, "{w:?}");
        for win in &w {
            assert!(win.len() as f64 / RATE as f64 <= cfg.max_window_s + 1e-9);
        }
        for pair in w.windows(2) {
            assert!(
                pair[0].extent().end <= pair[1].extent().start,
                "windows overlap: {pair:?}"
            );
        }
        for span in speech_spans(&a, RATE, &cfg) {
            assert!(
                w.iter()
                    .flat_map(|win| &win.parts)
                    .any(|p| p.start <= span.start && span.end <= p.end),
                "{span:?} not covered"
            );
        }
    }

    #[test]
    fn live_windows_follow_the_speaker_and_cover_what_offline_windows_cover() {
        let mut parts = vec![(6.0, false)];
        for _ in 0..8 {
            parts.push((4.0, true));
            parts.push((0.3, false));
            parts.push((3.0, true));
            parts.push((0.9, false));
        }
        parts.push((2.0, false));
        let a = audio(&parts);
        let cfg = WindowConfig::default();
        let mut live = LiveWindower::new(RATE, cfg);
        let mut got = Vec::new();
        let mut ready_at = Vec::new();
        for (i, piece) in a.chunks(320).enumerate() {
            let w = live.push(piece);
            if !w.is_empty() {
                ready_at.push((i + 1) * 320);
            }
            got.extend(w);
        }
        assert!((live.speech_started().unwrap() - 6.0).abs() < 0.05);
        let tail = live.finish();
        // windows come out while the answer goes on, each within a few seconds of its end
        assert!(ready_at.len() >= 4, "{ready_at:?}");
        for (w, at) in got.iter().zip(&ready_at) {
            assert!(
                *at - w.extent().end < RATE as usize * 2,
                "window ending {} released at {at}",
                w.extent().end
            );
            assert!(w.len() as f64 / RATE as f64 <= cfg.max_window_s);
        }
        got.extend(tail);
        for span in speech_spans(&a, RATE, &cfg) {
            assert!(
                got.iter()
                    .flat_map(|w| &w.parts)
                    .any(|p| p.start <= span.start && span.end <= p.end),
                "{span:?} not in a live window"
            );
        }
        for pair in got.windows(2) {
            assert!(pair[0].extent().end <= pair[1].extent().start);
        }
    }

    #[test]
    fn live_silence_gives_no_windows() {
        let mut live = LiveWindower::new(RATE, WindowConfig::default());
        let a = audio(&[(40.0, false)]);
        let mut n = 0;
        for piece in a.chunks(1600) {
            n += live.push(piece).len();
        }
        n += live.finish().len();
        assert_eq!(n, 0);
        assert_eq!(live.speech_started(), None);
    }

    #[test]
    fn speech_without_pauses_is_cut_below_the_limit() {
        let a = audio(&[(1.5, false), (70.0, true), (1.5, false)]);
        let cfg = WindowConfig::default();
        let w = windows(&a, RATE, &cfg);
        assert!(w.len() >= 3, "{w:?}");
        let covered: usize = w.iter().map(Window::len).sum();
        assert!(covered as f64 / RATE as f64 >= 70.0);
        assert!(
            w.iter()
                .all(|s| s.len() as f64 / RATE as f64 <= cfg.max_window_s)
        );
    }
}
