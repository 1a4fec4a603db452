#!/usr/bin/env python3
"""Fine-tune the sentence encoder for reading answers: src/analysis/encoder_adapter.safetensors.

all-MiniLM-L6-v2 places sentences by topic as much as by the move they make in an answer ("our
riders wait twenty minutes" and "riders would see the wait time" land close together). This
script teaches it the moves: a low-rank adapter (LoRA, rank 8) on every linear layer of its six
transformer layers is trained, through the mean-pooled embedding and a throw-away linear head, to
tell each unit's step (the 8 Working Backwards and 4 STAR steps) from the sentence alone. Only
the adapter is learned; the fetched model is untouched, and paceback adds the adapter's changes
to its weights when it loads the model (src/embed.rs). The adapter is 0.66 MB (16-bit).

Everything downstream (step model, question and answer types, content checks) is then trained on
the adapted embeddings (scripts/retrain_step_model.sh does both). So that the step model learns
how far to trust embeddings of sentences the adapter has not seen, the training answers'
features are made with fold adapters (--folds 2): each half of the training answers is embedded
by an adapter trained on the other half; the shipped adapter is trained on all of them.

Input: the units of the training answers, as dumped by `cargo run --release --example
step_features` (only their text and label are read). The validation set is only printed
(sentence-level accuracy of the head after each epoch); the held-out and generalization sets are
never read.

usage: scripts/finetune_encoder.py TRAIN.jsonl --validation VAL.jsonl [--out ADAPTER]
       [--fold K --folds N]   (train on the answers not in fold K of N)
Needs torch, numpy, safetensors and tokenizers (scripts/requirements-train.txt).
"""
import argparse
import json
import math
import random
import time

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.numpy import load_file
from safetensors.torch import save_file
from tokenizers import Tokenizer

STEPS = ["classify", "customer", "pain", "vision", "capabilities", "metrics", "risks", "thesis",
         "situation", "task", "action", "result"]
LINEARS = ["attention.self.query", "attention.self.key", "attention.self.value",
           "attention.output.dense", "intermediate.dense", "output.dense"]
LAYERS, HEADS, DIM = 6, 12, 384
RANK, ALPHA = 8, 16.0
EPOCHS, LR, BATCH = 3, 5e-4, 32
HEAD_SCALE = 20.0  # the embedding has length 1; the head reads it scaled, like a cosine classifier


def units(path, keep=lambda i: True):
    out = []
    for i, line in enumerate(open(path)):
        if keep(i):
            out += [(u["text"], STEPS.index(u["label"])) for u in json.loads(line)["units"]]
    return out


class Encoder(torch.nn.Module):
    """MiniLM's forward pass with a trainable low-rank change beside each frozen linear layer."""

    def __init__(self, weights):
        super().__init__()
        self.w = {k: torch.tensor(v) for k, v in weights.items()}
        self.lora = torch.nn.ParameterDict()
        for i in range(LAYERS):
            for name in LINEARS:
                out_dim, in_dim = self.w[f"encoder.layer.{i}.{name}.weight"].shape
                key = f"{i}_{name.replace('.', '_')}"
                self.lora[key + "_a"] = torch.nn.Parameter(torch.randn(RANK, in_dim) * 0.01)
                self.lora[key + "_b"] = torch.nn.Parameter(torch.zeros(out_dim, RANK))

    def linear(self, x, i, name):
        p = f"encoder.layer.{i}.{name}"
        key = f"{i}_{name.replace('.', '_')}"
        y = F.linear(x, self.w[p + ".weight"], self.w[p + ".bias"])
        return y + (x @ self.lora[key + "_a"].T @ self.lora[key + "_b"].T) * (ALPHA / RANK)

    def norm(self, x, p):
        return F.layer_norm(x, (DIM,), self.w[p + ".weight"], self.w[p + ".bias"], 1e-12)

    def forward(self, ids, mask):
        w = self.w
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][: ids.shape[1]]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self.norm(x, "embeddings.LayerNorm")
        bias = (1.0 - mask[:, None, None, :].float()) * -1e4
        b, n, _ = x.shape
        heads = lambda t: t.view(b, n, HEADS, DIM // HEADS).transpose(1, 2)
        for i in range(LAYERS):
            q, k, v = (heads(self.linear(x, i, f"attention.self.{s}")) for s in ("query", "key", "value"))
            a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(DIM // HEADS) + bias, -1) @ v
            a = self.linear(a.transpose(1, 2).reshape(b, n, DIM), i, "attention.output.dense")
            x = self.norm(x + a, f"encoder.layer.{i}.attention.output.LayerNorm")
            h = self.linear(F.gelu(self.linear(x, i, "intermediate.dense")), i, "output.dense")
            x = self.norm(x + h, f"encoder.layer.{i}.output.LayerNorm")
        m = mask[..., None].float()
        return F.normalize((x * m).sum(1) / m.sum(1), dim=-1)

    def adapter(self):
        """The changes in paceback's format: per linear layer `NAME.lora_a` (rank x in) and
        `NAME.lora_b` (out x rank, the scale folded in), so that weight += lora_b @ lora_a."""
        out = {}
        for i in range(LAYERS):
            for name in LINEARS:
                key = f"{i}_{name.replace('.', '_')}"
                p = f"encoder.layer.{i}.{name}"
                out[p + ".lora_a"] = self.lora[key + "_a"].detach().half().contiguous()
                out[p + ".lora_b"] = (self.lora[key + "_b"].detach() * (ALPHA / RANK)).half().contiguous()
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("--validation", required=True)
    ap.add_argument("--encoder", default="models/all-MiniLM-L6-v2")
    ap.add_argument("--out", default="src/analysis/encoder_adapter.safetensors")
    ap.add_argument("--fold", type=int, default=-1)
    ap.add_argument("--folds", type=int, default=2)
    args = ap.parse_args()
    torch.manual_seed(0)
    random.seed(0)
    torch.set_num_threads(2)

    tok = Tokenizer.from_file(args.encoder + "/tokenizer.json")
    tok.no_padding()
    tok.enable_truncation(128)

    def batch(texts):
        enc = [tok.encode(t).ids for t in texts]
        ids = torch.zeros(len(enc), max(map(len, enc)), dtype=torch.long)
        mask = torch.zeros_like(ids)
        for r, e in enumerate(enc):
            ids[r, : len(e)] = torch.tensor(e)
            mask[r, : len(e)] = 1
        return ids, mask

    train = units(args.train, lambda i: args.fold < 0 or i % args.folds != args.fold)
    val = units(args.validation)
    enc = Encoder(load_file(args.encoder + "/model.safetensors"))
    head = torch.nn.Linear(DIM, len(STEPS))
    params = list(enc.lora.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=LR, weight_decay=0.01)
    total = EPOCHS * math.ceil(len(train) / BATCH)
    step = 0
    for epoch in range(EPOCHS):
        random.shuffle(train)
        t0, loss_sum = time.time(), 0.0
        for k in range(0, len(train), BATCH):
            chunk = train[k : k + BATCH]
            logits = head(enc(*batch([t for t, _ in chunk])) * HEAD_SCALE)
            loss = F.cross_entropy(logits, torch.tensor([y for _, y in chunk]))
            for g in opt.param_groups:  # 50 warm-up steps, then linear decay
                g["lr"] = LR * min(1.0, (step + 1) / 50) * (1 - step / total)
            opt.zero_grad()
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item() * len(chunk)
        with torch.no_grad():
            right = 0
            for k in range(0, len(val), 64):
                chunk = val[k : k + 64]
                pred = head(enc(*batch([t for t, _ in chunk])) * HEAD_SCALE).argmax(1)
                right += int((pred == torch.tensor([y for _, y in chunk])).sum())
        print(f"epoch {epoch + 1}: loss {loss_sum / len(train):.3f}, validation sentences right "
              f"{right / len(val):.1%} ({time.time() - t0:.0f} s)", flush=True)
    save_file(enc.adapter(), args.out, metadata={"rank": str(RANK), "units": str(len(train))})
    print(f"wrote {args.out} ({len(train)} units)")


if __name__ == "__main__":
    main()
