//! Time in paceback is `f64` seconds everywhere (fields end in `_s`); this module holds the one
//! formatter for showing durations to people and the rounding used in machine output.

/// `m:ss` for durations under an hour (`0:07`, `6:02`), `h:mm:ss` beyond. Negative clamps to 0.
pub fn clock(seconds: f64) -> String {
    let total = if seconds.is_finite() && seconds > 0.0 {
        seconds.round() as u64
    } else {
        0
    };
    let (h, m, s) = (total / 3600, (total / 60) % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// Short human form: `7.2 s` under a minute, else the clock form.
pub fn human(seconds: f64) -> String {
    if seconds < 59.95 {
        format!("{seconds:.1} s")
    } else {
        clock(seconds)
    }
}

/// Round to centiseconds, the precision of every time in JSON output.
pub fn round_cs(seconds: f64) -> f64 {
    (seconds * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats() {
        for (s, want) in [
            (0.0, "0:00"),
            (7.4, "0:07"),
            (59.6, "1:00"),
            (362.0, "6:02"),
            (3725.0, "1:02:05"),
            (-3.0, "0:00"),
            (f64::NAN, "0:00"),
        ] {
            assert_eq!(clock(s), want, "clock({s})");
        }
    }

    #[test]
    fn human_formats() {
        assert_eq!(human(7.24), "7.2 s");
        assert_eq!(human(75.0), "1:15");
    }

    #[test]
    fn rounding_to_centiseconds() {
        assert_eq!(round_cs(1.23456), 1.23);
        assert_eq!(round_cs(170.899), 170.9);
    }
}
