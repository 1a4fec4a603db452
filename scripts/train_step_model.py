#!/usr/bin/env python3
"""Train paceback's step model (src/analysis/step_model.json) from labelled answers.

Input: the units of labelled answers with their features, as dumped by
`cargo run --release --example step_features -- --encoder models/all-MiniLM-L6-v2 SET...`
(one JSON line per answer). The training answers (samples/training, as perfect transcripts made by
scripts/script_transcript.py) are learned from; the validation set (samples/validation, written and
labelled like the generalization set by other people) picks the regularization and the emission
weight and is never learned from; the development set may be given with --dev to print figures.
The held-out and generalization sets are never read here.

What is learned, per framework (Working Backwards, STAR):
- two multinomial logistic regressions giving P(step | unit): `sentence` (the unit's embedding, its
  neighbours', cue evidence, word model, position, question type) and `cues` (the same without
  embeddings); the regularization is picked on the validation set;
- the step prior, and per question type the start, transition and end probabilities of the
  steps, counted on the labelled answers (add-one smoothing, backed off to the framework's counts
  so a rare type borrows from the others);
- the emission weight of each reader (how much the classifier counts against the transitions),
  picked on the validation set's decoded step-time accuracy;
- with --sequence, the sequence reader (scripts/sequence_reader.py): small bidirectional GRUs
  (three, voting) over the answer's units, reading the `sentence` features in the context of the
  whole answer; its posteriors and the linear `sentence` classifier's are combined (a weighted
  geometric mean, its share and the emission weight picked together on the validation set) when
  that decodes the validation set better than the classifier alone. Needs PyTorch;
- the boundary reader: a logistic regression giving P(a new step starts at
  this unit | the unit, the one before) from the `sentence` features plus the elementwise product
  and dot product of the unit's and the previous unit's embeddings (how far the talk moved). Its
  evidence, log(P / base rate) for moving on and log((1 - P) / (1 - base rate)) for staying,
  times a weight, is added to each unit's transitions; its regularization, weight and the emission
  weight are picked together on the validation set, and it is kept only if that decodes the
  validation set better than without it;
- the temperature that calibrates the confidences, on the validation set;
- a few example sentences per step (well-classified, from different answers) for `--explain`;
- with --questions, the question-type classifier: a logistic regression over a question's embedding
  and which types' phrase patterns it matches (dumped by `cargo run --release --example
  question_features -- models/all-MiniLM-L6-v2 src/questions/bank.toml samples/questions/train.toml`);
- with --content, the content checks: one logistic regression per property (an outcome metric, a
  threshold, a mitigation...) over a sentence's embedding, phrase matches and wording (dumped by
  `cargo run --release --example content_features -- models/all-MiniLM-L6-v2
  samples/questions/content_train.toml`); `--content-only` retrains just these.

usage: scripts/train_step_model.py TRAIN.jsonl --validation VAL.jsonl --questions Q.jsonl --content C.jsonl
       [--dev DEV.jsonl] [--out src/analysis/step_model.json]
       scripts/train_step_model.py --content-only --content C.jsonl   (only the content checks)
Needs numpy and scikit-learn (in scripts/requirements-voices.txt: scripts/voices-venv.sh), and
PyTorch for --sequence (`.venv-voices/bin/pip install torch`: the PyPI wheel, ~5 GB with CUDA libraries the CPU does not use).
"""
import argparse
import json
import math
import re
from collections import defaultdict, namedtuple

import numpy as np
from sklearn.linear_model import LogisticRegression

from sequence_reader import EMBEDDING

FRAMEWORKS = {
    "working_backwards": ["classify", "customer", "pain", "vision", "capabilities", "metrics", "risks", "thesis"],
    "star": ["situation", "task", "action", "result"],
}
TYPES = {
    "working_backwards": ["product_sense", "strategy", "prioritization", "estimation"],
    "star": ["behavioral"],
}
TYPE_STEPS = {
    "estimation": ["classify", "customer", "pain", "capabilities", "risks", "thesis"],
}
READERS = ["sentence", "cues"]
C_GRID = {"sentence": [1.0, 3.0, 10.0, 30.0], "cues": [0.5, 2.0, 8.0, 32.0]}
WEIGHT_GRID = [0.4, 0.6, 0.8, 1.0, 1.3, 1.6]
TEMPERATURE_GRID = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2]
BACKOFF = 8.0  # pseudo-counts of the framework's transition row given to each type's row
BOUNDARY_C = [0.1, 0.3]
BOUNDARY_WEIGHT_GRID = [0.25, 0.5, 0.75, 1.0]


def framework_of(qtype):
    return "star" if qtype == "behavioral" else "working_backwards"


def load(path):
    answers = []
    for line in open(path):
        a = json.loads(line)
        a["framework"] = framework_of(a["type"])
        answers.append(a)
    return answers


def matrix(answers, reader):
    return np.array([u[reader] for a in answers for u in a["units"]], dtype=np.float64)


def labels(answers, steps):
    return np.array([steps.index(u["label"]) for a in answers for u in a["units"]])


def allowed(qtype, steps):
    return [steps.index(s) for s in TYPE_STEPS.get(qtype, steps)]


Counts = namedtuple("Counts", "start trans end")


def chain_counts(answers, steps):
    """How often each step starts an answer, follows each other step and ends an answer, per type
    and for the whole framework ("*")."""
    n = len(steps)
    counts = Counts(defaultdict(lambda: np.zeros(n)), defaultdict(lambda: np.zeros((n, n))),
                    defaultdict(lambda: np.zeros(n)))
    for a in answers:
        seq = [steps.index(u["label"]) for u in a["units"]]
        for key in (a["type"], "*"):
            counts.start[key][seq[0]] += 1
            counts.end[key][seq[-1]] += 1
            for x, y in zip(seq, seq[1:]):
                counts.trans[key][x, y] += 1
    return counts


def chain(counts, qtype, n):
    """log start, transition and end probabilities for a type: its counts plus BACKOFF
    pseudo-counts spread like the framework's, plus one."""
    def smoothed(c):
        c_all = c["*"] / np.maximum(c["*"].sum(axis=-1, keepdims=True), 1)
        v = c[qtype] + BACKOFF * c_all + 1.0
        return np.log(v / v.sum(axis=-1, keepdims=True))
    return smoothed(counts.start), smoothed(counts.trans), smoothed(counts.end)


def trans_at(log_trans, i):
    """The transitions into unit i: one matrix for every unit, or one per unit (boundary evidence)."""
    return log_trans[i] if log_trans.ndim == 3 else log_trans


def viterbi(em, log_start, log_trans, log_end):
    m, n = em.shape
    best = log_start + em[0]
    back = np.zeros((m, n), dtype=int)
    for i in range(1, m):
        scores = best[:, None] + trans_at(log_trans, i)
        back[i] = scores.argmax(axis=0)
        best = scores.max(axis=0) + em[i]
    best = best + log_end
    path = [int(best.argmax())]
    for i in range(m - 1, 0, -1):
        path.append(int(back[i][path[-1]]))
    return path[::-1]


def decode(answer, log_post, prior, weight, counts, steps, boundary=None):
    """Decode one answer from per-unit log P(step | unit); returns step indexes (framework order)."""
    em, chain, idx = problem(answer, log_post, prior, weight, counts, steps, boundary)
    return [idx[k] for k in viterbi(em, *chain)]


def marginals(em, log_start, log_trans, log_end):
    """P(state_i = k | all units), forward-backward in log space."""
    m, n = em.shape
    alpha = np.zeros((m, n))
    beta = np.zeros((m, n))
    beta[-1] = log_end
    alpha[0] = log_start + em[0]
    for i in range(1, m):
        alpha[i] = np.logaddexp.reduce(alpha[i - 1][:, None] + trans_at(log_trans, i), axis=0) + em[i]
    for i in range(m - 2, -1, -1):
        beta[i] = np.logaddexp.reduce(trans_at(log_trans, i + 1) + em[i + 1] + beta[i + 1], axis=1)
    post = alpha + beta
    return np.exp(post - np.logaddexp.reduce(post, axis=1, keepdims=True))


def problem(answer, log_post, prior, weight, counts, steps, boundary=None):
    """The decoding problem of one answer over its type's steps: emissions, (log start,
    transitions, end) and the step indexes (framework order) of its states. With `boundary`
    (a Boundary), the transitions are one matrix per unit, moved by its evidence."""
    idx = allowed(answer["type"], steps)
    lp = log_post[:, idx]
    lp = lp - np.logaddexp.reduce(lp, axis=1, keepdims=True)
    pr = np.log(prior[idx] / prior[idx].sum())
    em = weight * (lp - pr)
    ls, lt, le = chain(counts, answer["type"], len(steps))
    ls = ls[idx] - np.logaddexp.reduce(ls[idx])
    le = le[idx] - np.logaddexp.reduce(le[idx])
    lt = lt[np.ix_(idx, idx)]
    lt = lt - np.logaddexp.reduce(lt, axis=1, keepdims=True)
    if boundary is not None:
        lt = lt[None] + boundary.evidence(answer, len(idx))
    return em, (ls, lt, le), idx


def boundary_features(X):
    """The boundary reader's input per unit: the `sentence` features, then the elementwise and the
    dot product of the unit's embedding and the previous unit's."""
    X = np.asarray(X, dtype=np.float64)
    e, p = X[:, :EMBEDDING], X[:, EMBEDDING:2 * EMBEDDING]
    return np.hstack([X, e * p, (e * p).sum(axis=1, keepdims=True)])


class Boundary(namedtuple("Boundary", "w b rate weight read")):
    """P(a new step starts at this unit), and how much its evidence counts. `read` keeps each
    answer's probabilities (by identity), shared by the copies `_replace(weight=...)` makes, so a
    settings search reads every answer once."""

    def probabilities(self, answer):
        key = id(answer)
        if key not in self.read:
            X = boundary_features([u["sentence"] for u in answer["units"]])
            self.read[key] = np.clip(1.0 / (1.0 + np.exp(-(X @ self.w + self.b))), 1e-4, 1 - 1e-4)
        return self.read[key]

    def evidence(self, answer, n):
        """Per unit, an (n, n) matrix added to its transitions: weight * log(P / rate) off the
        diagonal (moving on), weight * log((1 - P) / (1 - rate)) on it (staying)."""
        p = self.probabilities(answer)
        move = self.weight * (np.log(p) - np.log(self.rate))
        stay = self.weight * (np.log1p(-p) - np.log1p(-self.rate))
        eye = np.eye(n, dtype=bool)
        return np.where(eye[None], stay[:, None, None], move[:, None, None])


def boundary_target(answer):
    labels = [u["label"] for u in answer["units"]]
    return np.array([int(a != b) for a, b in zip(labels, labels[1:])])


def train_boundary(answers, validation, posts, prior, counts, steps, weight):
    """The boundary reader and the emission weight that decode `validation` (its sentence
    evidence `posts`) best with it, or None if none beats decoding without it at `weight`."""
    X = np.vstack([boundary_features([u["sentence"] for u in a["units"]])[1:] for a in answers])
    y = np.concatenate([boundary_target(a) for a in answers])
    rate = float(y.mean())
    baseline = decoded_accuracy(validation, prior, counts, steps)(posts, weight)
    best = None
    for C in BOUNDARY_C:
        clf = LogisticRegression(C=C, max_iter=3000).fit(X, y)
        read = Boundary(clf.coef_[0], float(clf.intercept_[0]), rate, 1.0, {})
        for g in BOUNDARY_WEIGHT_GRID:
            boundary = read._replace(weight=g)
            for w in WEIGHT_GRID:
                paths = [decode(a, lp, prior, w, counts, steps, boundary) for a, lp in zip(validation, posts)]
                acc, _ = time_accuracy(validation, paths, steps)
                if best is None or acc > best[0]:
                    best = (acc, C, w, boundary)
    acc, C, w, boundary = best
    print(f"  boundary  C={C} weight={boundary.weight} emission weight={w}: validation step-time accuracy "
          f"{acc*100:.1f}%" + ("" if acc > baseline else " (not better: not used)"))
    return (boundary, w) if acc > baseline else None


def calibrate(answers, posts, prior, weight, counts, steps, boundary=None):
    """The temperature that makes the decoded confidences honest: every log-potential (emissions
    and transitions) is multiplied by it for the marginals, which leaves the best path unchanged
    and sharpens or softens how sure the model says it is. Picked to minimize the time-weighted
    negative log-likelihood of the true steps on the validation set."""
    best = None
    for t in TEMPERATURE_GRID:
        nll = total = 0.0
        for a, lp in zip(answers, posts):
            em, chain, idx = problem(a, lp, prior, weight, counts, steps, boundary)
            mg = marginals(t * em, *(t * c for c in chain))
            for u, row in zip(a["units"], mg):
                d = u["end_s"] - u["start_s"]
                k = idx.index(steps.index(u["label"])) if steps.index(u["label"]) in idx else None
                nll -= d * np.log(max(row[k], 1e-6) if k is not None else 1e-6)
                total += d
        if best is None or nll < best[0]:
            best = (nll, t)
    return best[1]


def time_accuracy(answers, paths, steps):
    accs = []
    for a, path in zip(answers, paths):
        total = right = 0.0
        for u, k in zip(a["units"], path):
            d = u["end_s"] - u["start_s"]
            total += d
            right += d * (steps[k] == u["label"])
        accs.append(right / total if total else 1.0)
    return float(np.mean(accs)), accs


def decoded_accuracy(answers, prior, counts, steps):
    """(log posteriors per answer, emission weight) -> mean step-time accuracy of the decoded answers."""
    return lambda posts, w: time_accuracy(answers, [decode(a, lp, prior, w, counts, steps) for a, lp in zip(answers, posts)], steps)[0]


def fit(X, y, C, n):
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.fit(X, y)
    # Classes never seen get no weight (a very low bias).
    W = np.zeros((n, X.shape[1]))
    b = np.full(n, -20.0)
    for row, k in enumerate(clf.classes_):
        W[k] = clf.coef_[row] if len(clf.classes_) > 2 else (clf.coef_[0] if row == 1 else -clf.coef_[0])
        b[k] = clf.intercept_[row] if len(clf.classes_) > 2 else (clf.intercept_[0] if row == 1 else -clf.intercept_[0])
    return W, b


def log_posterior(X, W, b):
    z = X @ W.T + b
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def train_framework(answers, validation, dev, steps, calibration, with_sequence=False):
    """Everything learned for one framework; with `with_sequence`, the sequence reader too."""
    n = len(steps)
    y = labels(answers, steps)
    prior = np.bincount(y, minlength=n).astype(float) + 1.0
    prior /= prior.sum()
    counts = chain_counts(answers, steps)
    classifiers, weights, temperatures, figures = {}, {}, {}, {}
    for reader in READERS:
        best = None
        for C in C_GRID[reader]:
            W, b = fit(matrix(answers, reader), y, C, n)
            posts = [log_posterior(np.array([u[reader] for u in a["units"]]), W, b) for a in validation]
            for w in WEIGHT_GRID:
                paths = [decode(a, lp, prior, w, counts, steps) for a, lp in zip(validation, posts)]
                acc, _ = time_accuracy(validation, paths, steps)
                if best is None or acc > best[0]:
                    best = (acc, C, w, W, b)
        acc, C, w, W, b = best
        posts = [log_posterior(np.array([u[reader] for u in a["units"]]), W, b) for a in calibration]
        t = calibrate(calibration, posts, prior, w, counts, steps)
        print(f"  {reader:<9} C={C} weight={w} temperature={t}: validation step-time accuracy {acc*100:.1f}% ({len(validation)} answers)")
        classifiers[reader] = (W, b)
        weights[reader] = w
        temperatures[reader] = t
        figures[reader] = acc
        if dev:
            paths = [decode(a, log_posterior(np.array([u[reader] for u in a["units"]]), W, b), prior, w, counts, steps) for a in dev]
            dacc, _ = time_accuracy(dev, paths, steps)
            print(f"  {reader:<9} development set: {dacc*100:.1f}% ({len(dev)} answers)")
    W, b = classifiers["sentence"]
    read = lambda X: log_posterior(np.array(X), W, b)  # noqa: E731
    sequence = None
    if with_sequence:
        import sequence_reader
        decoded = decoded_accuracy(validation, prior, counts, steps)
        seq_read, nets = sequence_reader.train(answers, validation, steps, decoded, WEIGHT_GRID)
        acc, share, w = pick_share(decoded, validation, read, seq_read)
        print(f"  sequence  share {share} of the evidence, weight={w}: validation step-time accuracy {acc*100:.1f}%")
        if acc > figures["sentence"]:
            linear_read = read
            read = lambda X: mixed(linear_read(X), seq_read(X), share)  # noqa: E731
            sequence = {"share": share, "networks": nets}
            weights["sentence"] = w
            temperatures["sentence"] = calibrate(calibration, [read([u["sentence"] for u in a["units"]]) for a in calibration],
                                                 prior, w, counts, steps)
            print(f"  sequence  temperature={temperatures['sentence']}: reads the sentences")
            if dev:
                paths = [decode(a, read([u["sentence"] for u in a["units"]]), prior, w, counts, steps) for a in dev]
                print(f"  sequence  development set: {time_accuracy(dev, paths, steps)[0]*100:.1f}% ({len(dev)} answers)")
        else:
            print("  sequence  not better than the linear sentence reader on validation: not used")
    boundary = train_boundary(answers, validation, [read([u["sentence"] for u in a["units"]]) for a in validation],
                              prior, counts, steps, weights["sentence"])
    if boundary:
        boundary, weights["sentence"] = boundary
        temperatures["sentence"] = calibrate(calibration, [read([u["sentence"] for u in a["units"]]) for a in calibration],
                                             prior, weights["sentence"], counts, steps, boundary)
        if dev:
            paths = [decode(a, read([u["sentence"] for u in a["units"]]), prior, weights["sentence"], counts, steps, boundary)
                     for a in dev]
            print(f"  boundary  development set: {time_accuracy(dev, paths, steps)[0]*100:.1f}% ({len(dev)} answers)")
    own = [read([u["sentence"] for u in a["units"]]) for a in answers]
    examples = pick_examples(answers, own, steps)
    return prior, counts, classifiers, weights, temperatures, examples, sequence, boundary


SHARE_GRID = [0.25, 0.5, 0.75, 1.0]  # the sequence reader's share of the sentence reader's evidence


def pick_share(decoded, answers, linear, network):
    """(accuracy, share, emission weight) of the two sentence readers together that decode
    `answers` best (`decoded(log_posts, weight)`, see decoded_accuracy)."""
    sentences = [[u["sentence"] for u in a["units"]] for a in answers]
    lin, net = [linear(x) for x in sentences], [network(x) for x in sentences]
    return max((decoded([mixed(a, b, share) for a, b in zip(lin, net)], w), share, w)
               for share in SHARE_GRID for w in WEIGHT_GRID)


def mixed(linear, network, share):
    """log P(step | unit) of the two sentence readers together: a weighted geometric mean of
    their posteriors (`share` the sequence reader's), renormalized."""
    z = (1 - share) * linear + share * network
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def pick_examples(answers, posteriors, steps, per_step=12):
    """Well-classified sentences of 6-30 words, at most one per answer and step."""
    cands = defaultdict(list)
    for a, lp in zip(answers, posteriors):
        for u, row in zip(a["units"], lp):
            k = steps.index(u["label"])
            words = len(u["text"].split())
            if 6 <= words <= 30:
                cands[k].append((float(row[k]), a["name"], u["text"]))
    out = []
    for k in range(len(steps)):
        seen = set()
        for score, name, text in sorted(cands[k], reverse=True):
            if name in seen:
                continue
            seen.add(name)
            out.append([steps[k], text])
            if len(seen) == per_step:
                break
    return out


QUESTION_TYPES = ["product_sense", "strategy", "prioritization", "estimation", "behavioral"]
QUESTION_C = [1.0, 3.0, 10.0, 30.0]


def train_questions(path):
    """The question-type classifier: logistic regression over the question's embedding, which
    types' phrase patterns it matches, TF-IDF of its words and word pairs (sklearn's default
    tokens: runs of two or more word characters, lowercased; sublinear tf, l2-normalized) and,
    where cross-validation prefers them, TF-IDF of its words' character 3-5-grams (`char_wb`)."""
    from sklearn.model_selection import StratifiedKFold
    rows = [json.loads(line) for line in open(path)]
    texts = [r["text"] for r in rows]
    X = np.array([r["x"] for r in rows])
    y = np.array([QUESTION_TYPES.index(r["type"]) for r in rows])

    scores = {}
    for chars in (False, True):
        for C in QUESTION_C:
            accs = []
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
                vecs = wording_vectorizers([texts[i] for i in tr], chars)
                A = wording_features([texts[i] for i in tr], X[tr], vecs)
                B = wording_features([texts[i] for i in te], X[te], vecs)
                accs.append(LogisticRegression(C=C, max_iter=5000).fit(A, y[tr]).score(B, y[te]))
            scores[(chars, C)] = float(np.mean(accs))
    chars, C = max(scores, key=scores.get)
    print(f"questions: {len(rows)} wordings, C={C}, character n-grams {chars}: "
          f"cross-validated type accuracy {scores[(chars, C)]*100:.1f}% "
          f"(words only, best C: {max(v for (c, _), v in scores.items() if not c)*100:.1f}%)")
    vecs = wording_vectorizers(texts, chars)
    m = LogisticRegression(C=C, max_iter=5000).fit(wording_features(texts, X, vecs), y)
    return {
        "types": QUESTION_TYPES,
        "weights": [rounded(row) for row in m.coef_],
        "bias": rounded(m.intercept_),
        **exported_wording(vecs),
    }


CHAR_NGRAMS = (3, 5)


def wording_vectorizers(texts, chars):
    """TF-IDF of words and word pairs (sklearn's default tokens: runs of two or more word
    characters, lowercased; sublinear tf, l2-normalized) and, with `chars`, of the words'
    character 3-5-grams (`char_wb`), fitted on `texts` (stepmodel::Wording reads both)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    vecs = [TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True).fit(texts)]
    if chars:
        vecs.append(TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, min_df=2,
                                    sublinear_tf=True).fit(texts))
    return vecs


def wording_features(texts, X, vecs):
    """The dense features `X` followed by the texts' wording."""
    from scipy.sparse import csr_matrix, hstack
    return hstack([csr_matrix(X)] + [v.transform(texts) for v in vecs]).tocsr()


def exported_wording(vecs):
    """Fitted wording vectorizers as stepmodel::Wording reads them: `tfidf`, and `chars` if any."""
    out = {"tfidf": exported(vecs[0])}
    if len(vecs) > 1:
        out["chars"] = exported(vecs[1], CHAR_NGRAMS)
    return out


def exported(vec, char_ngrams=None):
    """A fitted TfidfVectorizer as the Rust side reads it (stepmodel::Tfidf)."""
    vocabulary = {term: int(i) for term, i in sorted(vec.vocabulary_.items(), key=lambda kv: kv[1])}
    out = {"vocabulary": vocabulary, "idf": rounded(vec.idf_)}
    if char_ngrams:
        out["char_ngrams"] = list(char_ngrams)
    return out


CONTENT_PROPERTIES = ["outcome_metric", "usage_metric", "guardrail", "threshold", "mitigation",
                      "deprioritization", "reason", "hedged_extra"]


def content_target(labels, p):
    """A labelled sentence's value for one property: "deprioritization" is anything left out
    (with or without a reason), "reason" a deprioritization with its reason."""
    labels = set(labels)
    if p == "deprioritization":
        return int("deprioritization" in labels or "deprioritization_no_reason" in labels)
    if p == "reason":
        return int("deprioritization" in labels)
    return int(p in labels)


CONTENT_THRESHOLDS = [round(0.2 + 0.05 * i, 2) for i in range(13)]  # 0.2 ... 0.8


def train_content(path):
    """One logistic regression per content property over the sentence's embedding, which phrase
    lists it matches and its wording (classes balanced). Per property, C and the probability above
    which the property is said are picked together by 5-fold cross-validated F1; the wording
    includes character n-grams only if they raise the mean of those F1s by more than CHARS_MARGIN."""
    from sklearn.model_selection import KFold
    rows = [json.loads(line) for line in open(path)]
    texts = [r["text"] for r in rows]
    X = np.array([r["x"] for r in rows])
    Y = {p: np.array([content_target(r["labels"], p) for r in rows]) for p in CONTENT_PROPERTIES}
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))
    best = {}
    for chars in (False, True):
        split = []
        for tr, te in folds:
            vecs = wording_vectorizers([texts[i] for i in tr], chars)
            split.append((tr, te, wording_features([texts[i] for i in tr], X[tr], vecs),
                          wording_features([texts[i] for i in te], X[te], vecs)))
        for p, y in Y.items():
            for C in CONTENT_C:
                prob = np.zeros(len(y))
                for tr, te, A, B in split:
                    m = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(A, y[tr])
                    prob[te] = m.predict_proba(B)[:, 1]
                # The decision threshold with the best cross-validated F1 for this C (0.5 on ties).
                for th in sorted(CONTENT_THRESHOLDS, key=lambda t: abs(t - 0.5)):
                    pred = prob >= th
                    tp = int((pred & (y == 1)).sum())
                    f1 = 2 * tp / max(int(pred.sum()) + int(y.sum()), 1)
                    if (chars, p) not in best or f1 > best[(chars, p)][0] + 1e-9:
                        best[(chars, p)] = (f1, C, th)
    mean = {c: float(np.mean([best[(c, p)][0] for p in CONTENT_PROPERTIES])) for c in (False, True)}
    # The n-grams double the model's size: taken only when they clearly help.
    chars = mean[True] > mean[False] + CHARS_MARGIN
    print(f"content: {len(rows)} sentences, character n-grams {chars}: mean cross-validated F1 "
          f"{mean[chars]:.3f} (words only {mean[False]:.3f})")
    vecs = wording_vectorizers(texts, chars)
    A = wording_features(texts, X, vecs)
    weights, bias, thresholds = [], [], []
    for p, y in Y.items():
        f1, C, th = best[(chars, p)]
        m = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(A, y)
        print(f"content {p:<17} {int(y.sum()):>4} of {len(y)} sentences, C={C}, threshold {th:.2f}: "
              f"cross-validated F1 {f1:.2f}")
        weights.append(rounded(m.coef_[0]))
        bias.append(round(float(m.intercept_[0]), 5))
        thresholds.append(round(float(th), 2))
    return {
        "properties": CONTENT_PROPERTIES,
        "weights": weights,
        "bias": bias,
        "thresholds": thresholds,
        **exported_wording(vecs),
    }


CONTENT_C = (1.0, 3.0, 10.0, 30.0)
CHARS_MARGIN = 0.005


def rounded(x, digits=5):
    return [round(float(v), digits) for v in x]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train", nargs="?")
    ap.add_argument("--validation")
    ap.add_argument("--dev")
    ap.add_argument("--questions")
    ap.add_argument("--content", required=True)
    ap.add_argument("--content-only", action="store_true",
                    help="retrain only the content checks, in the model already at --out")
    ap.add_argument("--calibration", nargs="*", default=[],
                    help="more answers (e.g. the validation set spoken and transcribed) that the temperature is picked on, with the validation set")
    ap.add_argument("--out", default="src/analysis/step_model.json")
    ap.add_argument("--sequence", action="store_true",
                    help="also train the sequence reader (needs PyTorch) and use it where validation says it is better")
    args = ap.parse_args()
    if args.content_only:
        model = json.load(open(args.out))
        model["content_checks"] = train_content(args.content)
        write(model, args.out)
        return
    if not (args.train and args.validation and args.questions):
        ap.error("TRAIN, --validation and --questions are needed unless --content-only")
    train = load(args.train)
    dev = load(args.dev) if args.dev else []
    validation = load(args.validation)
    calibration = validation + [a for path in args.calibration for a in load(path)]
    model = {"schema": "paceback.step-model/1", "trained_on": f"{len(train)} labelled answers", "frameworks": {}}
    for fw, steps in FRAMEWORKS.items():
        answers = [a for a in train if a["framework"] == fw]
        print(f"{fw}: {len(answers)} answers, {sum(len(a['units']) for a in answers)} units")
        prior, counts, classifiers, weights, temperatures, examples, sequence, boundary = train_framework(
            answers, [a for a in validation if a["framework"] == fw], [a for a in dev if a["framework"] == fw], steps,
            [a for a in calibration if a["framework"] == fw], args.sequence)
        n = len(steps)
        chains = {t: chain(counts, t, n) for t in TYPES[fw]}
        model["frameworks"][fw] = {
            "steps": steps,
            "classifiers": {
                r: {
                    "inputs": ["embedding", "previous", "next", "cues", "content", "position", "type"] if r == "sentence"
                    else ["cues", "content", "position", "type"],
                    "weights": [rounded(row) for row in W],
                    "bias": rounded(b),
                }
                for r, (W, b) in classifiers.items()
            },
            "prior": rounded(prior, 6),
            "emission_weight": weights,
            "temperature": temperatures,
            "start": {t: rounded(c[0], 4) for t, c in chains.items()},
            "transitions": {t: [rounded(row, 4) for row in c[1]] for t, c in chains.items()},
            "end": {t: rounded(c[2], 4) for t, c in chains.items()},
            "examples": examples,
        }
        if sequence:
            model["frameworks"][fw]["sequence"] = sequence
        if boundary:
            model["frameworks"][fw]["boundary"] = {
                "inputs": ["embedding", "previous", "next", "cues", "content", "position", "type",
                           "embedding * previous", "embedding . previous"],
                "weights": rounded(boundary.w),
                "bias": round(boundary.b, 5),
                "rate": round(boundary.rate, 6),
                "weight": boundary.weight,
            }
    model["question_types"] = train_questions(args.questions)
    from train_answer_types import train_answer_types
    model["answer_types"] = train_answer_types(train, validation)
    model["content_checks"] = train_content(args.content)
    write(model, args.out)


NUMBERS = re.compile(r"\[\s*(-?[0-9][0-9.eE+-]*(?:,\s*-?[0-9][0-9.eE+-]*)*)\s*\]")


def write(model, path):
    # One value per line, except lists of numbers, which take one line each (a weight row, a
    # bias): a retrain is a readable diff, row by row.
    text = NUMBERS.sub(lambda m: "[" + ", ".join(re.split(r",\s*", m.group(1))) + "]", json.dumps(model, indent=1))
    with open(path, "w") as f:
        f.write(text + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
