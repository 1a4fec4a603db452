//! The mel filterbank whisper.cpp expects inside a ggml model file.
//!
//! OpenAI ships `mel_80` computed by `librosa.filters.mel(sr=16000, n_fft=400, n_mels=80)`: Slaney
//! mel scale (`htk=False`) with Slaney area normalisation. CTranslate2 models do not carry it, so
//! the importer computes it; this matches librosa to within float32 rounding.

/// Slaney's mel scale: linear below 1 kHz, logarithmic above.
fn hz_to_mel(hz: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if hz >= MIN_LOG_HZ {
        min_log_mel + (hz / MIN_LOG_HZ).ln() / logstep
    } else {
        hz / F_SP
    }
}

fn mel_to_hz(mel: f64) -> f64 {
    const F_SP: f64 = 200.0 / 3.0;
    const MIN_LOG_HZ: f64 = 1000.0;
    let min_log_mel = MIN_LOG_HZ / F_SP;
    let logstep = 6.4f64.ln() / 27.0;
    if mel >= min_log_mel {
        MIN_LOG_HZ * (logstep * (mel - min_log_mel)).exp()
    } else {
        F_SP * mel
    }
}

/// `n_mels` × (`n_fft`/2 + 1) filter weights, row-major, as librosa computes them.
pub fn filterbank(sample_rate: u32, n_fft: usize, n_mels: usize) -> Vec<f32> {
    let n_bins = n_fft / 2 + 1;
    let sr = f64::from(sample_rate);
    let fft_freqs: Vec<f64> = (0..n_bins).map(|k| k as f64 * sr / n_fft as f64).collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(sr / 2.0));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut weights = vec![0f32; n_mels * n_bins];
    for m in 0..n_mels {
        let (left, center, right) = (mel_f[m], mel_f[m + 1], mel_f[m + 2]);
        let enorm = 2.0 / (right - left);
        for (k, &f) in fft_freqs.iter().enumerate() {
            let lower = (f - left) / (center - left);
            let upper = (right - f) / (right - center);
            weights[m * n_bins + k] = (lower.min(upper).max(0.0) * enorm) as f32;
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_round_trips_and_is_linear_below_1khz() {
        for hz in [0.0, 200.0, 999.0, 1000.0, 4000.0, 8000.0] {
            assert!((mel_to_hz(hz_to_mel(hz)) - hz).abs() < 1e-9, "{hz}");
        }
        assert!((hz_to_mel(1000.0) - 15.0).abs() < 1e-12);
        assert!((hz_to_mel(500.0) - 7.5).abs() < 1e-12);
    }

    #[test]
    fn matches_openai_mel_80() {
        // Reference values read from OpenAI's `whisper/assets/mel_filters.npz` (`mel_80`, float32).
        let fb = filterbank(16_000, 400, 80);
        assert_eq!(fb.len(), 80 * 201);
        let at = |m: usize, k: usize| fb[m * 201 + k];
        for (m, k, want) in [
            (0, 1, 0.024_862_595_f32),
            (1, 1, 0.001_990_822),
            (1, 2, 0.022_871_772),
            (79, 195, 0.002_243_795_2),
            (40, 60, 0.0),
            (0, 0, 0.0),
        ] {
            assert!(
                (at(m, k) - want).abs() < 1e-8,
                "mel[{m}][{k}] = {} want {want}",
                at(m, k)
            );
        }
        let sum: f64 = fb.iter().map(|&w| f64::from(w)).sum();
        assert!((sum - 1.999_024_092).abs() < 1e-6, "sum {sum}");
    }
}
