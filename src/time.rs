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
    // Never "-0.0 s".
    let seconds = if seconds > 0.0 { seconds } else { 0.0 };
    if seconds < 59.95 {
        format!("{seconds:.1} s")
    } else {
        clock(seconds)
    }
}

/// A budget range: `30–60 s` when it ends within a minute, else `5:00–8:00`; `up to 8:00` when
/// there is no minimum.
pub fn range(min_s: f64, max_s: f64) -> String {
    if min_s <= 0.0 {
        format!("up to {}", limit(max_s))
    } else if max_s <= 60.0 {
        format!("{}–{}", trim(min_s), limit(max_s))
    } else {
        format!("{}–{}", clock(min_s), clock(max_s))
    }
}

/// One end of a budget: `10 s`, `7.5 s` within a minute, else `8:00`.
pub fn limit(seconds: f64) -> String {
    if seconds <= 60.0 {
        format!("{} s", trim(seconds))
    } else {
        clock(seconds)
    }
}

/// A number without a needless `.0`.
fn trim(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Round to centiseconds, the precision of every time in JSON output.
pub fn round_cs(seconds: f64) -> f64 {
    // Adding +0.0 turns -0.0 (an empty float sum, or a tiny negative rounded) into 0.0.
    (seconds * 100.0).round() / 100.0 + 0.0
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
    fn ranges() {
        assert_eq!(range(30.0, 60.0), "30–60 s");
        assert_eq!(range(5.0, 7.5), "5–7.5 s");
        assert_eq!(range(60.0, 90.0), "1:00–1:30");
        assert_eq!(range(300.0, 480.0), "5:00–8:00");
        // No minimum (a behavioral answer has only a maximum length): never "0:00–8:00".
        assert_eq!(range(0.0, 480.0), "up to 8:00");
        assert_eq!(range(0.0, 30.0), "up to 30 s");
        assert_eq!(limit(10.0), "10 s");
        assert_eq!(limit(480.0), "8:00");
    }

    #[test]
    fn rounding_to_centiseconds() {
        assert_eq!(round_cs(1.23456), 1.23);
        assert_eq!(round_cs(170.899), 170.9);
    }
}
