//! Timing budgets and their Toastmasters-style lights. The budgets themselves, with every other
//! number of the method, are in [`super::method`].

use serde::{Deserialize, Serialize};

/// A timing budget: reaching `min` is green, `yellow_at` and beyond is yellow, past `max` red.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Budget {
    pub id: &'static str,
    pub label: &'static str,
    pub min_s: f64,
    pub target_s: f64,
    pub max_s: f64,
    #[serde(skip)]
    pub yellow_at: f64,
}

/// Toastmasters timing light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// The minimum was not reached.
    Under,
    Green,
    Yellow,
    Red,
}

impl Budget {
    pub const fn new(
        id: &'static str,
        label: &'static str,
        min_s: f64,
        target_s: f64,
        max_s: f64,
        yellow_at: f64,
    ) -> Self {
        Budget {
            id,
            label,
            min_s,
            target_s,
            max_s,
            yellow_at,
        }
    }

    /// A budget given as a range: target and yellow light at its middle.
    pub const fn range(id: &'static str, label: &'static str, min_s: f64, max_s: f64) -> Self {
        let mid = (min_s + max_s) / 2.0;
        Budget::new(id, label, min_s, mid, max_s, mid)
    }

    pub fn light(&self, actual_s: f64) -> Light {
        if actual_s > self.max_s {
            Light::Red
        } else if actual_s >= self.yellow_at {
            Light::Yellow
        } else if actual_s >= self.min_s {
            Light::Green
        } else {
            Light::Under
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::method::METHOD;

    #[test]
    fn lights_follow_toastmasters() {
        let (answer, pain) = (METHOD.answer, METHOD.pain);
        // 5 min green, 6 min yellow, past 8 red
        assert_eq!(answer.light(240.0), Light::Under);
        assert_eq!(answer.light(300.0), Light::Green);
        assert_eq!(answer.light(359.0), Light::Green);
        assert_eq!(answer.light(360.0), Light::Yellow);
        assert_eq!(answer.light(480.0), Light::Yellow);
        assert_eq!(answer.light(480.5), Light::Red);
        assert_eq!(pain.light(44.0), Light::Green);
        assert_eq!(pain.light(45.0), Light::Yellow);
        assert_eq!(pain.light(61.0), Light::Red);
    }
}
