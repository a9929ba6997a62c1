"""The block scan: the perceptron's online rule over a block of samples, in a
few whole-block matrix products and exactly as if run sample by sample.

Why blocks
----------
Rosenblatt's rule is sequential: each sample is scored with the weights left
by all samples before it. Python cannot afford a loop step per sample, so the
samples are taken in *blocks*.

The algebra
-----------
Let the update made at row ``j`` of a block be the coefficient vector
``c_j`` (one entry per neuron), so that ``w <- rho w + c_j x_j`` and
``b <- b + c_j``, ``rho`` being the L2 decay per step (1 without penalty;
the bias is not decayed). Unrolled from the block's starting weights
``(W, b)``, row ``i`` is scored with

    z_i = rho**i x_i W + b  +  sum_{j < i} H[i, j] c_j,
    H[i, j] = rho**(i - j - 1) x_i . x_j + 1    (j < i; 0 on and above the diagonal)

an identity of real numbers, with nothing approximated. So one product
``Z = X_block W`` scores the whole block with its starting weights
(:meth:`Decay.scores`), ``H`` is one more (:meth:`Decay.kernel`), and once
the block's updates ``C`` (rows ``c_j``) are known, one last product moves the
weights past the block (:meth:`Decay.apply`).

Why the result is the sample-by-sample rule's
---------------------------------------------
``H`` is strictly lower triangular: row ``i``'s score depends only on the
updates of the rows before it. The updates ``C`` therefore solve
``C = decide(Z + H C)`` (``decide`` being the rule applied row by row), and
that system has one solution, found row after row, which is the sequential
rule's. The three solvers reach it differently:

* *pull* (:func:`pull_block`, the delta rule, where every row updates):
  forward substitution, one row at a time.
* *settle* (:func:`settle_block`, many mistakes): iterate
  ``C <- decide(Z + H C)`` from ``decide(Z)``. Row 0 is right from the start
  and, by induction, after ``k`` products rows ``0..k`` are final, so at most
  one product per row reaches the solution; a product that changes nothing
  has found it (the solution is unique), and in practice a handful do.
* *push* (:func:`push_block`, few mistakes): a row without a mistake updates
  nothing and so changes no later score. Find the first mistaken row by one
  vectorised test, make its update, add its effect ``H[j + 1:, j] c_j`` to
  the later rows' scores, and search on from there. Rows without a mistake
  cost no Python step.

Which solver runs is chosen by :class:`Scan` from the recent mistake rate.

Floating point: the scores are the sequential rule's sums taken in another
order, so they agree to rounding, and the decisions agree unless a score is
zero in exact arithmetic and rounds to either side in one of the two orders.
On data where every sum is exact (small integers, dyadic steps, no decay) the
block scan is bit for bit the sample-by-sample rule; the tests check both.
"""

import numpy as np
import scipy.sparse as sp

__all__ = [
    "DENSE_ABOVE",
    "DENSE_BLOCK",
    "KERNEL_BLOCK",
    "PUSH_BLOCKS",
    "Decay",
    "Scan",
    "pull_block",
    "push_block",
    "scan_block",
    "settle_block",
]

DENSE_BLOCK = 64
"""Rows per block when most rows update (settle and pull): the block's whole
kernel ``H`` costs one B x B x n_features product."""

PUSH_BLOCKS = (64, 2048)
"""Smallest and largest block of the push scan, sized to a few mistakes each."""

DENSE_ABOVE = 0.05
"""Mistake rate (per sample) above which settling a whole block beats pushing."""

KERNEL_BLOCK = 256
"""Largest block whose kernel ``H`` is formed whole: sparse push blocks."""


class Decay:
    """The block algebra under the L2 step ``w <- rho w`` before every update.

    Within a block, row ``i`` sees ``rho**i`` times the block's initial
    weights, and update ``j`` reaches row ``i > j`` multiplied by
    ``rho**(i - j - 1)``; the tables of these powers are made once.
    ``weights`` arguments are :class:`sknn._perceptron_training.Weights`.
    """

    def __init__(self, rho, fit_intercept, dtype):
        self.rho = rho
        self.active = rho != 1.0
        self.fit_intercept = fit_intercept
        power = rho ** np.arange(PUSH_BLOCKS[1] + 1, dtype=np.float64)
        self.power = power.astype(dtype)
        self.power_sum = np.concatenate([[0.0], np.cumsum(power)])
        self.power2_sum = np.concatenate([[0.0], np.cumsum(power * power)])
        # lag_power[i, j] = rho**(i - j - 1) below the diagonal, 0 elsewhere.
        lag = np.subtract.outer(np.arange(KERNEL_BLOCK), np.arange(KERNEL_BLOCK))
        self.lag_power = np.where(lag > 0, power[np.maximum(lag - 1, 0)], 0)
        self.lag_power = self.lag_power.astype(dtype)
        self.below = (lag > 0).astype(dtype)

    def scores(self, Xb, weights):
        """Each row's score under the weights it will see (before updates)."""
        Z = Xb @ weights.coef
        if self.active:
            Z *= self.power[: len(Z), None]
        Z += weights.intercept
        return Z

    def kernel(self, Xb):
        """``H[i, j]``: the effect on row i's score of a unit update at row j;
        zero unless j < i."""
        H = Xb @ Xb.T
        H = H.toarray() if sp.issparse(H) else H
        n = len(H)
        H *= self.lag_power[:n, :n]
        if self.fit_intercept:  # the bias is not decayed
            H += self.below[:n, :n]
        return H

    def kernel_column(self, Xb, j):
        """``H[j + 1:, j]`` for a dense block, one matrix-vector product."""
        h = Xb[j + 1 :] @ Xb[j]
        if self.active:
            h *= self.power[: len(h)]
        if self.fit_intercept:
            h += 1
        return h

    def apply(self, weights, Xb, C, averaging):
        """Move ``weights`` past a block whose updates are the rows of ``C``."""
        n = len(C)
        if averaging:
            self._add_trajectory(weights, Xb, C)
        if self.fit_intercept:
            weights.intercept += C.sum(axis=0)
        if self.active:
            weights.coef *= self.power[n]
            C = C * self.power[n - 1 :: -1, None]
        weights.coef += Xb.T @ C

    def _add_trajectory(self, weights, Xb, C):
        """Add to the averaging sums the weights after each row of the block."""
        n = len(C)
        # After row i: rho**(i+1) w_0 + sum_{j <= i} rho**(i - j) c_j x_j.
        reach = self.power_sum[n - np.arange(n)].astype(C.dtype)
        weights.avg_coef += float(self.power_sum[n + 1] - 1) * weights.coef
        weights.avg_coef += Xb.T @ (C * reach[:, None])
        weights.avg_intercept += n * weights.intercept
        if self.fit_intercept:
            # The bias is not decayed: update j counts once per row from j on.
            weights.avg_intercept += np.arange(n, 0, -1, dtype=C.dtype) @ C
        weights.avg_count += n

    def squared_norm_sum(self, weights, Z, C, row_norms):
        """``sum_i ||w_i||²`` over the block's rows, per neuron, where ``w_i``
        are the weights row i is scored with (for the L2 objective).

        From ``w_{i+1} = rho w_i + c_i x_i``: ``||w_{i+1}||² = rho² ||w_i||² +
        2 rho c_i (z_i - b_i) + c_i² ||x_i||²``, ``b_i`` being row i's intercept.
        """
        n = len(C)
        start = np.einsum("ij,ij->j", weights.coef, weights.coef, dtype=np.float64)
        bias = weights.intercept
        if self.fit_intercept:
            bias = bias + (np.cumsum(C, axis=0) - C)
        growth = 2 * self.rho * C * (Z - bias) + C * C * row_norms[:, None]
        spread = self.power2_sum[n - 1 - np.arange(n)]
        return start * self.power2_sum[n] + spread @ growth


def pull_block(Z, H, update, blk):
    """Forward substitution: row i's score is its start score ``Z[i]`` plus
    ``H[i, j] C[j]`` from every earlier row j; then its own update ``C[i]``
    is decided. Returns the scores each row was judged on, and ``C``.

    ``[H | I] @ [C; Z]`` gives a row's score in one product, ``C``'s rows
    being filled in as the loop goes (later ones are still zero, and ``H`` is
    zero on and above the diagonal anyway).
    """
    n = len(Z)
    lhs = np.concatenate([H, np.eye(n, dtype=H.dtype)], axis=1)
    rhs = np.concatenate([np.zeros_like(Z), Z])
    C = rhs[:n]
    dot = np.dot
    for h, args in zip(lhs, zip(C, *blk)):
        update(dot(h, rhs), *args)
    return Z + H @ C, C


def settle_block(Z, H, decide, blk):
    """The updates of a block of a mistake-driven rule, as the fixed point of
    ``C = decide(Z + H @ C)`` (see the module docstring for why it is the
    sequential rule's). Returns the scores each row was judged on, and ``C``.
    """
    C = decide(Z, blk)
    for _ in range(len(Z)):
        scores = Z + H @ C
        settled = decide(scores, blk)
        if np.array_equal(settled, C):
            return scores, C
        C = settled
    # Reached only when overflow left NaN scores, which decide() cannot
    # settle on; the epoch reports the overflow.
    return Z + H @ C, C


def push_block(Z, C, kernel_column, update, first_mistake, blk):
    """Jump from mistake to mistake: after the update at row j, add its effect
    ``H[j + 1:, j] C[j]`` to the later rows and search them for the next one.
    Fills ``C`` and leaves in ``Z`` the scores each row was judged on."""
    j = first_mistake(Z, 0)
    while j < len(Z):
        update(Z[j], C[j], *(rows[j] for rows in blk))
        if j + 1 == len(Z):
            return
        Z[j + 1 :] += np.multiply.outer(kernel_column(j), C[j])
        j = first_mistake(Z, j + 1)


def scan_block(rule, decay, Xb, blk, weights, dense):
    """The scores (each before its row's own update) and the updates ``C`` of
    a block: pull for a rule that updates on every sample, else settle when
    ``dense``, else push."""
    Z = decay.scores(Xb, weights)
    if dense:
        H = decay.kernel(Xb)
        if rule.updates_every_sample:
            return pull_block(Z, H, rule.update, blk)
        return settle_block(Z, H, rule.batch_updates, blk)
    C = np.zeros_like(Z)
    if sp.issparse(Xb):  # a sparse row product per jump costs more than H
        H = decay.kernel(Xb)

        def column(j):
            return H[j + 1 :, j]
    else:

        def column(j):
            return decay.kernel_column(Xb, j)

    def first_mistake(Z, start):
        return rule.first_mistake(Z, start, blk)

    push_block(Z, C, column, rule.update, first_mistake, blk)
    return Z, C


class Scan:
    """Chooses between the dense solvers (settle, pull) and push, and the
    block size, from the recent mistake rate."""

    def __init__(self, sparse, every_sample):
        self.sparse = sparse
        self.every_sample = every_sample
        self.rate = 1.0  # zero weights get every sample wrong

    def plan(self):
        """Return ``(dense, block_size)`` for the next block."""
        if self.every_sample or self.rate > DENSE_ABOVE:
            return True, DENSE_BLOCK
        low, high = PUSH_BLOCKS
        high = min(high, KERNEL_BLOCK) if self.sparse else high
        return False, int(np.clip(4 / max(self.rate, 1e-9), low, high))

    def observe(self, n_mistakes, n_rows):
        # An average over roughly the last 512 rows.
        self.rate += min(n_rows / 512, 1.0) * (n_mistakes / n_rows - self.rate)
