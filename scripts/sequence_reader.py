"""The sequence reader of the step model: small bidirectional GRUs over an answer's units, trained
with PyTorch (CPU) and exported for src/analysis/sequence.rs.

A network's input per unit is the `sentence` reader's feature vector without the neighbours'
embeddings (the GRU sees the neighbours itself); its logits are a linear read-out of that input
plus a read-out of the GRU's two states (projection -> tanh -> GRU each way). Each is trained by
cross-entropy on the labelled training answers, one answer per step of AdamW, its epoch picked on
the validation set's decoded step-time accuracy. Networks from SEEDS vote (logits averaged: a
single network's figures move by one to two points with its seed). train_step_model.py shares the
`sentence` evidence between the vote and the linear classifier. Deterministic.
"""
import numpy as np

EMBEDDING = 384  # the sentence vector starts with the unit's, the previous and the next embedding
HIDDEN = 64
DROPOUT = 0.3
EPOCHS = 25
LEARNING_RATE = 2e-3
WEIGHT_DECAY = 1e-4
SEEDS = (0, 1, 2)
SHUFFLE = 0.5  # share of training answers seen with their step runs in a random order (picked on validation)


def columns(width):
    return [[0, EMBEDDING], [3 * EMBEDDING, width]]


def _inputs(answer, cols):
    X = np.array([u["sentence"] for u in answer["units"]], dtype=np.float32)
    return np.concatenate([X[:, a:b] for a, b in cols], axis=1)


def _net(nn, inputs, classes):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(inputs, classes)
            self.project = nn.Sequential(nn.Dropout(DROPOUT), nn.Linear(inputs, HIDDEN), nn.Tanh())
            self.gru = nn.GRU(HIDDEN, HIDDEN, batch_first=True, bidirectional=True)
            self.output = nn.Sequential(nn.Dropout(DROPOUT), nn.Linear(2 * HIDDEN, classes))

        def forward(self, x):
            h, _ = self.gru(self.project(x))
            return self.linear(x) + self.output(h)
    return Net()


def train(answers, validation, steps, decode_accuracy, weight_grid):
    """Train on `answers`; returns (log_posterior function of a unit list's `sentence` vectors,
    exported networks). `decode_accuracy(log_posts, weight)` decodes the validation answers."""
    import torch
    import torch.nn as nn
    torch.set_num_threads(2)
    cols = columns(len(answers[0]["units"][0]["sentence"]))
    data = [(torch.tensor(_inputs(a, cols)), torch.tensor([steps.index(u["label"]) for u in a["units"]])) for a in answers]
    val = [torch.tensor(_inputs(a, cols)) for a in validation]
    nets, exported = [], []
    for seed in SEEDS:
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        net = _net(nn, data[0][0].shape[1], len(steps))
        opt = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
        best = None
        for epoch in range(EPOCHS):
            net.train()
            for i in rng.permutation(len(data)):
                x, y = data[i]
                if rng.random() < SHUFFLE:
                    x, y = shuffled_blocks(torch, x, y, rng)
                loss = nn.functional.cross_entropy(net(x[None])[0], y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            net.eval()
            with torch.no_grad():
                posts = [torch.log_softmax(net(x[None])[0], -1).numpy().astype(float) for x in val]
            acc = max(decode_accuracy(posts, w) for w in weight_grid)
            if best is None or acc > best[0]:
                best = (acc, epoch, {k: v.clone() for k, v in net.state_dict().items()})
        net.load_state_dict(best[2])
        net.eval()
        nets.append(net)
        exported.append(export(best[2], cols))
        print(f"  sequence  seed {seed}: epoch {best[1] + 1}, validation step-time accuracy {best[0]*100:.1f}%")

    def log_posterior(sentences):
        X = np.array(sentences, dtype=np.float32)
        x = torch.tensor(np.concatenate([X[:, a:b] for a, b in cols], axis=1))[None]
        with torch.no_grad():
            logits = torch.stack([net(x)[0] for net in nets]).mean(0)
            return torch.log_softmax(logits, -1).numpy().astype(float)

    posts = [log_posterior([u["sentence"] for u in a["units"]]) for a in validation]
    acc, w = max((decode_accuracy(posts, w), w) for w in weight_grid)
    print(f"  sequence  {len(nets)} voting, weight={w}: validation step-time accuracy {acc*100:.1f}% ({len(validation)} answers)")
    return log_posterior, exported


def shuffled_blocks(torch, x, y, rng):
    """The answer with its runs of one step in a random order: the hidden Markov model already
    knows the order steps come in, so the network is made to read what each sentence does."""
    cuts = [0] + [i for i in range(1, len(y)) if y[i] != y[i - 1]] + [len(y)]
    order = rng.permutation(len(cuts) - 1)
    idx = torch.cat([torch.arange(cuts[k], cuts[k + 1]) for k in order])
    return x[idx], y[idx]


def export(state, cols):
    def rows(k):
        return [[round(float(v), 5) for v in row] for row in state[k].numpy()]

    def vec(k):
        return [round(float(v), 5) for v in state[k].numpy()]

    def dense(prefix):
        return {"weights": rows(prefix + ".weight"), "bias": vec(prefix + ".bias")}

    def gru(suffix):
        return {"input": {"weights": rows("gru.weight_ih_l0" + suffix), "bias": vec("gru.bias_ih_l0" + suffix)},
                "hidden": {"weights": rows("gru.weight_hh_l0" + suffix), "bias": vec("gru.bias_hh_l0" + suffix)}}
    return {"columns": cols, "linear": dense("linear"), "project": dense("project.1"), "forward": gru(""),
            "backward": gru("_reverse"), "output": dense("output.1")}
