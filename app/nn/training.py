"""Training steps: full batch, mini-batches, or one example at a time.

One step is one update. Batches come from a seeded shuffle, reshuffled every epoch, so a
configuration replays to the same numbers.

A Trainer keeps one set of forward and backward buffers per batch size and the network's passes write
into them, so a step allocates few arrays (network.py says which). The price: a StepResult's arrays are
those buffers, valid until the next step. Copy what you keep.

A Trainer given a `mistake` (an id of mistakes.py's catalogue) trains as a learner with that mistake would:
its backward pass is mistakes.backward_under, written into the same buffers, so every optimizer applies.

A Trainer given a `regularization` ("l1" or "l2", regularization.py) and a `regularization_rate` λ > 0 adds
∂Ω/∂W to ∂C/∂W after the backward pass (the learner's too, under a mistake) and before the optimizer, so every
optimizer and batch mode applies it. Its backward passes (StepResult.backward, passes()) then hold ∂(C + Ω)/∂W;
deltas and ∂C/∂b are unchanged. StepResult.loss and full_loss() stay the data loss C; Ω is StepResult.penalty and
penalty(). With no regularization or a rate of 0 nothing is computed. To change it live, assign
`trainer.regularization = make_regularization(kind, rate)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.nn.mistakes import backward_under
from app.nn.network import BackwardPass, ForwardPass, Network
from app.nn.optimizers import Optimizer
from app.nn.regularization import make_regularization

# Past this a run is treated as diverging: sigmoid and softmax nets that learn stay far below it,
# while a learning rate that is far too large crosses it within a few steps, long before overflow.
PARAMETER_BOUND = 1e4


@dataclass(slots=True)
class StepResult:
    loss: float  # the batch's loss at the parameters before the update
    forward: ForwardPass  # the trainer's buffers: overwritten by the next step
    backward: BackwardPass
    batch: np.ndarray | None  # indices of the examples used; None for the full batch
    penalty: float = 0.0  # Ω at the parameters before the update (loss + penalty: the cost minimised)


class Trainer:
    def __init__(
        self,
        net: Network,
        X: np.ndarray,
        Y: np.ndarray,
        optimizer: Optimizer,
        batch_size: int | None = None,
        seed: int = 0,
        mistake: str | None = None,
        regularization: str | None = None,
        regularization_rate: float = 0.0,
    ):
        self.net = net
        self.mistake = mistake
        self.regularization = make_regularization(regularization, regularization_rate)  # None: off
        self.X = np.ascontiguousarray(X, dtype=net.dtype)
        self.Y = np.ascontiguousarray(Y, dtype=net.dtype)
        self.optimizer = optimizer
        n = len(self.X)
        self.batch_size = None if batch_size is None or batch_size >= n else batch_size
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(n)
        self._cursor = n  # forces a shuffle before the first mini-batch
        self.steps = 0
        self._workspaces: dict[int, tuple[ForwardPass, BackwardPass]] = {}  # by batch length
        self._label_sums = self.Y.sum(axis=1, keepdims=True)  # Σⱼ yⱼ per example, for the cross-entropy's δᴸ
        self.bound = divergence_bound(net)  # from the starting weights: every training loop stops at the same rule

    def _workspace(self, n: int) -> tuple[ForwardPass, BackwardPass]:
        workspace = self._workspaces.get(n)
        if workspace is None:
            workspace = self._workspaces[n] = self.net.workspace(n)
        return workspace

    def _next_batch(self) -> np.ndarray:
        """The next slice of a shuffled order; the last batch of an epoch may be shorter, so none is skipped."""
        if self._cursor >= len(self._order):
            self._rng.shuffle(self._order)
            self._cursor = 0
        batch = self._order[self._cursor : self._cursor + self.batch_size]
        self._cursor += self.batch_size
        return batch

    def step(self) -> StepResult:
        if self.batch_size is None:
            batch, X, Y, label_sums = None, self.X, self.Y, self._label_sums
        else:
            batch = self._next_batch()
            X, Y, label_sums = self.X[batch], self.Y[batch], self._label_sums[batch]
        fwd, bwd = self._workspace(len(X))
        net = self.net
        net.forward(X, into=fwd)
        loss = net.loss(fwd, Y)
        if self.mistake is None:
            net.backward(fwd, Y, into=bwd, label_sums=label_sums)
        else:
            self._mistaken_backward(fwd, Y, bwd)
        penalty = 0.0
        if self.regularization is not None:
            penalty = self.regularization.penalty(net.W)
            self.regularization.add_gradient(net.W, bwd.grad_W)
        # θ holds every W and b, and bwd.grad every ∂C/∂W and ∂C/∂b in the same order: one update for all.
        self.optimizer.update([net.theta], [bwd.grad])
        self.steps += 1
        return StepResult(loss, fwd, bwd, batch, penalty)

    def _mistaken_backward(self, fwd: ForwardPass, Y: np.ndarray, bwd: BackwardPass) -> None:
        """The learner's backward pass, into the buffers the exact one fills (bwd.grad holds every gradient)."""
        deltas, grad_W, grad_b = backward_under(self.net, fwd, Y, self.mistake, self.optimizer.learning_rate)
        for l, (delta, gW, gb) in enumerate(zip(deltas, grad_W, grad_b)):
            bwd.deltas[l][...] = delta
            bwd.grad_W[l][...] = gW
            bwd.grad_b[l][...] = gb

    def passes(self, X: np.ndarray | None = None, Y: np.ndarray | None = None) -> tuple[ForwardPass, BackwardPass]:
        """Forward and backward passes as this trainer computes them (new arrays), over X and Y or every example."""
        X, Y = (self.X, self.Y) if X is None else (X, Y)
        fwd = self.net.forward(X)
        if self.mistake is None:
            bwd = self.net.backward(fwd, Y)
        else:
            bwd = BackwardPass(*backward_under(self.net, fwd, Y, self.mistake, self.optimizer.learning_rate))
        if self.regularization is not None:
            self.regularization.add_gradient(self.net.W, bwd.grad_W)
        return fwd, bwd

    def full_loss(self) -> float:
        return self.net.loss(self.net.forward(self.X), self.Y)

    def penalty(self) -> float:
        """Ω at the current weights; 0 without regularization."""
        return 0.0 if self.regularization is None else self.regularization.penalty(self.net.W)

    def divergence(self, loss: float) -> str | None:
        """Why this run must stop, in plain words, or None while it is healthy."""
        return divergence_reason(self.net, loss, self.bound)


def largest_value(values: np.ndarray) -> float:
    """The largest magnitude in an array (0 for an empty one): the scale of inputs or weights."""
    return float(np.abs(values).max()) if np.size(values) else 0.0


def largest_weight(net: Network) -> float:
    return largest_value(net.theta)


def divergence_bound(net: Network) -> float:
    """PARAMETER_BOUND, or ten times the largest starting weight when a model arrives with weights that large."""
    return max(PARAMETER_BOUND, 10.0 * largest_weight(net))


def divergence_reason(net: Network, loss: float, bound: float = PARAMETER_BOUND) -> str | None:
    """Why a run must stop, in plain words, or None while it is healthy."""
    if not np.isfinite(loss):
        return "the loss is no longer a finite number"
    largest = largest_weight(net)
    if not np.isfinite(largest):
        return "a weight is no longer a finite number"
    if largest > bound:
        return f"a weight grew past {bound:g}"
    return None
