//! The sequence reader: a small bidirectional GRU that reads the whole answer, unit by unit, so
//! that what a sentence does can depend on what came before and after it (a "we'd pilot it" after
//! a risk is its mitigation; inside the feature list it is a feature).
//!
//! Its input per unit is the sentence reader's feature vector without the neighbours' embeddings
//! (the GRU sees the neighbours itself); its output, P(step | unit, the whole answer), adds to the
//! linear read-out of the same vector (the network learns what the linear classifier misses).
//! A few networks trained from different seeds vote (their logits are averaged).
//! Trained with the step model by `scripts/train_step_model.py` (PyTorch's `nn.GRU` conventions:
//! gates in the order reset, update, new).

use serde::Deserialize;

/// A dense (affine) layer: `weights` is outputs × inputs. Also the step model's linear
/// classifiers.
#[derive(Debug, Deserialize)]
pub struct Dense {
    weights: Vec<Vec<f32>>,
    bias: Vec<f32>,
}

impl Dense {
    pub fn new(weights: Vec<Vec<f32>>, bias: Vec<f32>) -> Self {
        Dense { weights, bias }
    }

    pub fn inputs(&self) -> usize {
        self.weights.first().map_or(0, Vec::len)
    }

    pub fn outputs(&self) -> usize {
        self.weights.len()
    }

    /// Output `k` for input `x`.
    pub fn output(&self, k: usize, x: &[f32]) -> f32 {
        self.bias[k]
            + self.weights[k]
                .iter()
                .zip(x)
                .map(|(a, v)| a * v)
                .sum::<f32>()
    }

    fn apply(&self, x: &[f32]) -> Vec<f32> {
        (0..self.outputs()).map(|k| self.output(k, x)).collect()
    }
}

/// One direction of a GRU layer.
#[derive(Debug, Deserialize)]
pub struct Gru {
    /// Input → gates (3 × hidden rows: reset, update, new).
    input: Dense,
    /// Hidden → gates (3 × hidden rows).
    hidden: Dense,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Gru {
    fn size(&self) -> usize {
        self.hidden.inputs()
    }

    /// The hidden state after each input, in the order the inputs are given.
    fn run<'a>(&self, xs: impl Iterator<Item = &'a Vec<f32>>) -> Vec<Vec<f32>> {
        let n = self.size();
        let mut h = vec![0.0f32; n];
        xs.map(|x| {
            let gi = self.input.apply(x);
            let gh = self.hidden.apply(&h);
            h = (0..n)
                .map(|k| {
                    let r = sigmoid(gi[k] + gh[k]);
                    let z = sigmoid(gi[n + k] + gh[n + k]);
                    let new = (gi[2 * n + k] + r * gh[2 * n + k]).tanh();
                    (1.0 - z) * new + z * h[k]
                })
                .collect();
            h.clone()
        })
        .collect()
    }
}

/// The network: linear read-out + (projection → bidirectional GRU → read-out).
#[derive(Debug, Deserialize)]
pub struct SequenceReader {
    /// The ranges `[from, to)` of the feature vector it reads, in order.
    columns: Vec<[usize; 2]>,
    linear: Dense,
    project: Dense,
    forward: Gru,
    backward: Gru,
    output: Dense,
}

impl SequenceReader {
    /// Whether the layers fit together and take `inputs` features to `classes` outputs.
    pub fn fits(&self, inputs: usize, classes: usize) -> bool {
        let h = self.forward.size();
        let read: usize = self.columns.iter().map(|[a, b]| b.saturating_sub(*a)).sum();
        self.columns.iter().all(|[a, b]| a < b && *b <= inputs)
            && self.linear.inputs() == read
            && self.linear.outputs() == classes
            && self.project.inputs() == read
            && self.project.outputs() == self.forward.input.inputs()
            && self.backward.input.inputs() == self.forward.input.inputs()
            && [&self.forward, &self.backward]
                .iter()
                .all(|g| g.size() == h && g.input.outputs() == 3 * h && g.hidden.outputs() == 3 * h)
            && self.output.inputs() == 2 * h
            && self.output.outputs() == classes
    }

    /// Logits per unit over all classes, each unit read in the context of the whole answer.
    pub fn logits(&self, units: &[Vec<f32>]) -> Vec<Vec<f32>> {
        let units: Vec<Vec<f32>> = units
            .iter()
            .map(|x| {
                self.columns
                    .iter()
                    .flat_map(|&[a, b]| x[a..b].iter().copied())
                    .collect()
            })
            .collect();
        let projected: Vec<Vec<f32>> = units
            .iter()
            .map(|x| self.project.apply(x).into_iter().map(f32::tanh).collect())
            .collect();
        let ahead = self.forward.run(projected.iter());
        let mut behind = self.backward.run(projected.iter().rev());
        behind.reverse();
        units
            .iter()
            .zip(ahead.into_iter().zip(behind))
            .map(|(x, (f, b))| {
                let both: Vec<f32> = f.into_iter().chain(b).collect();
                self.linear
                    .apply(x)
                    .into_iter()
                    .zip(self.output.apply(&both))
                    .map(|(a, c)| a + c)
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One input, one hidden unit, two classes.
    fn tiny(update_bias: f32) -> SequenceReader {
        let gru = || Gru {
            // reset, update, new: the new state is tanh(2x) while the update gate is closed.
            input: Dense::new(
                vec![vec![0.0], vec![0.0], vec![2.0]],
                vec![0.0, update_bias, 0.0],
            ),
            hidden: Dense::new(vec![vec![0.0], vec![0.0], vec![0.0]], vec![0.0; 3]),
        };
        SequenceReader {
            columns: vec![[1, 2]],
            linear: Dense::new(vec![vec![0.0], vec![0.0]], vec![0.0, 0.0]),
            project: Dense::new(vec![vec![1.0]], vec![0.0]),
            forward: gru(),
            backward: gru(),
            // Class 1 reads the forward state, class 0 the backward one.
            output: Dense::new(vec![vec![0.0, 1.0], vec![1.0, 0.0]], vec![0.0, 0.0]),
        }
    }

    #[test]
    fn a_gru_follows_its_input_when_the_update_gate_is_shut() {
        let net = tiny(-30.0);
        assert!(net.fits(2, 2));
        let out = net.logits(&[vec![9.0, 1.0], vec![9.0, -1.0]]);
        let s = |x: f32| (x.tanh() * 2.0).tanh();
        // Shut update gate: each state is the new candidate, from this unit alone.
        assert!((out[0][1] - s(1.0)).abs() < 1e-5, "{out:?}");
        assert!((out[1][1] - s(-1.0)).abs() < 1e-5, "{out:?}");
        assert!((out[0][0] - s(1.0)).abs() < 1e-5, "{out:?}");
    }

    #[test]
    fn an_open_update_gate_carries_the_past_forward_and_the_future_back() {
        let net = tiny(30.0);
        // Open update gate: the state never leaves its start (zero) in either direction.
        let out = net.logits(&[vec![9.0, 1.0], vec![9.0, -1.0], vec![9.0, 0.5]]);
        assert!(out.iter().flatten().all(|v| v.abs() < 1e-5), "{out:?}");
        let half = tiny(0.0);
        let out = half.logits(&[vec![9.0, 1.0], vec![9.0, 0.0]]);
        // The second unit's input is zero, so its forward state is what the first one left
        // (halved by the gate), and the first unit's backward state knows nothing of the second.
        assert!(out[1][1] > 0.1, "the past reaches the second unit: {out:?}");
        assert!(out[0][0] > 0.1, "{out:?}");
        assert!(
            out[1][0].abs() < 1e-6,
            "the last unit has no future: {out:?}"
        );
    }

    #[test]
    fn layers_that_do_not_fit_are_refused() {
        let net = tiny(0.0);
        assert!(!net.fits(1, 2), "its column is past the end");
        assert!(!net.fits(2, 3));
    }
}
