"""The perceptron's learning rules: what a sample does to the neurons.

A rule turns a sample's pre-activations ``z`` (one per neuron) into the
update ``c`` the sample makes, ``w_k += c_k x`` and ``b_k += c_k``. Three
rules, each with scikit-learn's step ``eta`` times the sample's weight and
class weight:

* :class:`RosenblattRule`, one-vs-rest: neuron k's target is ``y_k = ±1``
  (its class or not) and it updates by ``eta y_k`` when ``y_k z_k <= 0``;
* :class:`DeltaRule`, one-vs-rest: every sample updates every neuron by
  ``eta (t_k - f(z_k)) f'(z_k)``, ``t_k`` an end of ``f``'s output range;
* :class:`MultinomialRule`: on a mistake the true class's neuron moves towards
  the sample and the best-scoring wrong class's neuron away from it.

Nothing here knows about blocks of samples beyond taking them as arrays. The
block scan (:mod:`sknn._perceptron_scan`) asks a rule, for the rows of a
block, for ``block(y, sample_weight)``: the per-row tables (sign, step,
target, ...) that the other methods take as ``blk``, row-aligned with the
scores ``Z`` of shape (n_rows, n_neurons). Then

* ``update(z, c, *row)`` writes one row's update into ``c``, the rule as a
  textbook states it;
* ``batch_updates(Z, blk)`` gives every row's update judged on the scores
  ``Z`` all at once (the same rule, vectorised);
* ``first_mistake(Z, start, blk)`` is the first row from ``start`` on that
  updates (mistake-driven rules only);
* ``losses(Z, blk)`` is the objective per problem and which rows erred.

A *problem* is what the stopping rule watches: each one-vs-rest neuron is a
problem of its own, while the multinomial rule's neurons form one.
"""

import copy

import numpy as np

__all__ = ["DeltaRule", "MultinomialRule", "RosenblattRule", "one_vs_rest_tables"]


def one_vs_rest_tables(n_classes, class_weight):
    """Return ``sign[c, k]`` (+1 if class c is neuron k's positive class, else
    -1) and ``weight[c, k]``, the class weight neuron k gives a sample of class c.

    Two classes share one neuron, whose positive class is the second one. With
    more classes, each neuron weighs only its positive class, as scikit-learn's
    one-vs-rest SGD does; the rest keep weight 1.
    """
    if n_classes == 2:
        sign = np.array([[-1.0], [1.0]])
        weight = np.asarray(class_weight, dtype=float)[:, None]
    else:
        sign = 2.0 * np.eye(n_classes) - 1.0
        weight = np.where(sign > 0, np.asarray(class_weight, dtype=float), 1.0)
    return sign, weight


class RosenblattRule:
    """One-vs-rest Rosenblatt rule: neuron k updates ``w_k += eta y x`` when
    ``y z <= 0``, ``y = ±1`` saying whether the sample is of its class."""

    updates_every_sample = False
    _tables = ("sign", "step")  # per-class tables, one column per neuron

    def __init__(self, n_classes, class_weight, eta, dtype):
        sign, weight = one_vs_rest_tables(n_classes, class_weight)
        self.n_neurons = self.n_problems = sign.shape[1]
        self.sign = sign.astype(dtype)
        self.step = (eta * weight * sign).astype(dtype)

    def columns(self, cols):
        """The same rule restricted to the neurons ``cols``."""
        rule = copy.copy(self)
        for name in self._tables:
            setattr(rule, name, getattr(self, name)[:, cols])
        rule.n_neurons = rule.n_problems = len(cols)
        return rule

    @staticmethod
    def per_problem(per_neuron):
        """A per-neuron term of the objective, per problem: each neuron is one."""
        return per_neuron

    def block(self, y, sample_weight):
        step = self.step[y]
        step *= sample_weight[:, None]
        return self.sign[y], step

    @staticmethod
    def update(z, c, sign, step):
        """Write into ``c`` the update of a row scored ``z`` (one block row of
        each array of the block data follows)."""
        np.multiply(step, np.less_equal(np.multiply(z, sign), 0), out=c)

    def first_mistake(self, Z, start, blk):
        bad = np.multiply(Z[start:], blk[0][start:]) <= 0
        j = bad.argmax()  # row-major, so the first mistaken row
        return start + j // Z.shape[1] if bad.ravel()[j] else len(Z)

    def batch_updates(self, Z, blk):
        sign, step = blk
        return step * (Z * sign <= 0)

    def losses(self, Z, blk):
        """Perceptron loss ``max(0, -y z)`` summed per neuron, and which rows
        had a mistake."""
        margin = Z * blk[0]
        loss = np.maximum(-margin, 0).sum(axis=0, dtype=np.float64)
        return loss, (margin <= 0).any(axis=1)

    def validation_scores(self, Z, y, sample_weight):
        """Each neuron's weighted accuracy at telling its class from the rest."""
        right = (Z > 0) == (self.sign[y] > 0)
        return sample_weight @ right / sample_weight.sum()


class DeltaRule(RosenblattRule):
    """One-vs-rest delta rule ``w_k += eta (t - f(z)) f'(z) x`` with targets
    ``t`` at the two ends of the activation's output range."""

    updates_every_sample = True
    _tables = ("sign", "step", "target")

    def __init__(self, n_classes, class_weight, eta, dtype, activation):
        super().__init__(n_classes, class_weight, eta, dtype)
        low, high = activation.targets
        self.activation = activation
        self.target = np.where(self.sign > 0, high, low).astype(dtype)
        self.step = np.abs(self.step)  # the error t - f(z) carries the direction

    def block(self, y, sample_weight):
        sign, step = super().block(y, sample_weight)
        return sign, step, self.target[y]

    def update(self, z, c, sign, step, target):
        a = self.activation.forward(z)
        error = np.subtract(target, a)
        np.multiply(step, self.activation.backprop(error, z=z, a=a), out=c)

    def batch_updates(self, Z, blk):
        _, step, target = blk
        A = self.activation.forward(Z)
        error = self.activation.backprop(target - A, z=Z, a=A)
        error *= step
        return error

    def losses(self, Z, blk):
        """Squared error ``(t - f(z))² / 2`` summed per neuron, and which rows
        had a neuron on the wrong side of zero."""
        sign, _, target = blk
        error = target - self.activation.forward(Z)
        loss = 0.5 * np.square(error).sum(axis=0, dtype=np.float64)
        return loss, (Z * sign <= 0).any(axis=1)


class MultinomialRule:
    """The multiclass perceptron: one neuron per class and, when the true
    class ``y`` does not score strictly above every other class, the update
    ``w_y += eta x``, ``w_r -= eta x`` with ``r`` the best-scoring wrong class
    (the first of them on a tie)."""

    updates_every_sample = False
    n_problems = 1  # its neurons stop together, so it is never split by columns

    def __init__(self, n_classes, class_weight, eta, dtype):
        self.n_neurons = n_classes
        self.step = (eta * np.asarray(class_weight, dtype=float)).astype(dtype)
        # Added to a row's scores, this hides the true class from the argmax.
        self.hide = np.where(np.eye(n_classes, dtype=bool), -np.inf, 0).astype(dtype)

    @staticmethod
    def per_problem(per_neuron):
        """A per-neuron term of the objective (the penalty), summed: the
        neurons form one problem."""
        return np.array([per_neuron.sum()])

    def block(self, y, sample_weight):
        return y, self.step[y] * sample_weight, self.hide[y]

    @staticmethod
    def update(z, c, true, step, hide):
        rival = np.add(z, hide).argmax()
        if z[rival] >= z[true]:
            c[true] = step
            c[rival] = -step

    @staticmethod
    def _margins(Z, y, hide):
        """``max_{k != y} z_k - z_y`` per row: a mistake when not negative."""
        rival = (Z + hide).max(axis=1)
        return rival - np.take_along_axis(Z, y[:, None], axis=1)[:, 0]

    def first_mistake(self, Z, start, blk):
        y, _, hide = blk
        bad = self._margins(Z[start:], y[start:], hide[start:]) >= 0
        j = bad.argmax()
        return start + j if bad[j] else len(Z)

    def batch_updates(self, Z, blk):
        y, step, hide = blk
        rows = np.flatnonzero(self._margins(Z, y, hide) >= 0)
        rival = (Z[rows] + hide[rows]).argmax(axis=1)
        C = np.zeros_like(Z)
        C[rows, y[rows]] = step[rows]
        C[rows, rival] = -step[rows]
        return C

    def losses(self, Z, blk):
        """Multiclass perceptron loss ``max(0, max_{k != y} z_k - z_y)``."""
        y, _, hide = blk
        margin = self._margins(Z, y, hide)
        loss = np.maximum(margin, 0).sum(dtype=np.float64)
        return np.array([loss]), margin >= 0

    def validation_scores(self, Z, y, sample_weight):
        right = Z.argmax(axis=1) == y
        return np.array([sample_weight @ right / sample_weight.sum()])
