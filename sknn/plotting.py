"""Displays that show what neurons do, in scikit-learn's Display style.

Each display is built by a ``from_*`` class method, which computes what to
draw and calls :meth:`plot`; ``plot(ax=...)`` draws onto the user's own axes
or onto new ones and stores ``figure_`` and ``ax_``. matplotlib is imported
only when something is drawn, so ``import sknn`` never needs it. For decision
boundaries use :class:`sklearn.inspection.DecisionBoundaryDisplay`.
"""

import numpy as np

from sknn.activations import get_activation

__all__ = ["ActivationDisplay", "DiagnosticsDisplay", "LossCurveDisplay"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "sknn's plots need matplotlib; install it with: pip install 'sknn[plot]'"
        ) from error
    return plt


def _axes_grid(ax, n_panels, max_cols=4):
    """Return (figure, flat array of n_panels axes), making them if ax is None."""
    plt = _pyplot()
    if ax is None:
        n_cols = min(n_panels, max_cols)
        n_rows = -(-n_panels // n_cols)
        figure, axes = plt.subplots(
            n_rows,
            n_cols,
            figsize=(3.2 * n_cols, 2.8 * n_rows),
            squeeze=False,
            layout="constrained",  # titles and labels of a grid never overlap
        )
        for extra in axes.flat[n_panels:]:
            extra.set_visible(False)
        return figure, axes.ravel()[:n_panels]
    axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
    if len(axes) != n_panels:
        raise ValueError(
            f"Expected {n_panels} axes for {n_panels} panels, got {len(axes)}."
        )
    return axes[0].figure, axes


class ActivationDisplay:
    """An activation function and its derivative, as in a textbook figure.

    Build it with :meth:`from_name`.

    Parameters
    ----------
    z : ndarray of shape (n_points,)
        The pre-activation values on the horizontal axis.
    curves : dict
        Maps each activation name to a pair ``(f(z), f'(z))`` of arrays.

    Attributes
    ----------
    lines_ : dict
        Maps each activation name to its ``(function_line, derivative_line)``
        (the derivative line is None when not drawn).
    ax_ : ndarray of matplotlib Axes
        The axes drawn on, one per panel.
    figure_ : matplotlib Figure
        The figure holding them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sknn.plotting import ActivationDisplay
    >>> display = ActivationDisplay.from_name(["relu", "tanh"])
    >>> len(display.ax_)
    2
    """

    def __init__(self, *, z, curves):
        self.z = z
        self.curves = curves

    @classmethod
    def from_name(
        cls,
        names,
        *,
        z_range=(-5.0, 5.0),
        n_points=401,
        overlay=False,
        derivative=True,
        ax=None,
        **params,
    ):
        """Compute and draw activations given by name.

        Parameters
        ----------
        names : str or list of str
            Names from :data:`sknn.activations.ACTIVATIONS` (or the alias
            ``'sigmoid'``).
        z_range : tuple of float, default=(-5.0, 5.0)
            The interval of pre-activations shown.
        n_points : int, default=401
            How many points to evaluate.
        overlay : bool, default=False
            Draw all activations on one axes instead of one panel each.
        derivative : bool, default=True
            Also draw the derivative (dashed).
        ax : matplotlib Axes or array of Axes, default=None
            Where to draw: one Axes when ``overlay``, else one per name.
            New axes are made when None.
        **params
            Activation parameters, such as ``negative_slope``, passed to
            every activation that accepts them.

        Returns
        -------
        display : ActivationDisplay
        """
        names = [names] if isinstance(names, str) else list(names)
        z = np.linspace(*z_range, n_points)
        curves = {}
        for name in names:
            activation = _make_activation(name, params)
            a = activation.forward(z)
            curves[name] = (a, activation.derivative(z=z, a=a))
        return cls(z=z, curves=curves).plot(
            ax=ax, overlay=overlay, derivative=derivative
        )

    def plot(self, ax=None, *, overlay=False, derivative=True):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes or array of Axes, default=None
            One Axes when ``overlay``, else one per activation; new ones when
            None.
        overlay : bool, default=False
            All activations on one axes.
        derivative : bool, default=True
            Also draw each derivative, dashed.

        Returns
        -------
        display : ActivationDisplay
            The object itself, with ``figure_``, ``ax_`` and ``lines_`` set.
        """
        n_panels = 1 if overlay else len(self.curves)
        self.figure_, self.ax_ = _axes_grid(ax, n_panels)
        self.lines_ = {}
        for i, (name, (a, da)) in enumerate(self.curves.items()):
            axes = self.ax_[0 if overlay else i]
            (line,) = axes.plot(self.z, a, label=name if overlay else "f(z)")
            d_line = None
            if derivative:
                (d_line,) = axes.plot(
                    self.z,
                    da,
                    linestyle="--",
                    color=line.get_color(),
                    label=f"{name}'" if overlay else "f'(z)",
                )
            self.lines_[name] = (line, d_line)
            if not overlay:
                axes.set_title(name)
        for axes in self.ax_:
            axes.axhline(0, color="0.7", linewidth=0.8, zorder=0)
            axes.axvline(0, color="0.7", linewidth=0.8, zorder=0)
            axes.grid(True, alpha=0.3)
            axes.set_xlabel("z")
            axes.legend(fontsize="small")
        return self


def _make_activation(name, params):
    """Build an activation, passing only the parameters it accepts."""
    try:
        return get_activation(name, **params)
    except TypeError:
        return get_activation(name)


class LossCurveDisplay:
    """Training loss per iteration of one or more fitted networks.

    Build it with :meth:`from_estimator`. When an estimator recorded a
    validation set (``early_stopping=True``, or ``X_val`` given to fit), its
    validation loss is drawn dashed beside the training loss, in the same
    colour, and its validation scores dotted on a second vertical axis. The
    axes name the loss (``'squared_error'``, ``'log_loss'``, ...) and the
    validation score (accuracy for a classifier, R² for a regressor, or the
    estimator's ``scoring``).

    Parameters
    ----------
    loss_curves : list of ndarray
        One training-loss curve per estimator.
    validation_scores : list of ndarray or None
        One validation-score curve per estimator, or None where none was
        recorded.
    labels : list of str
        One legend label per estimator.
    loss_name : str, default=None
        The loss, named on the vertical axis; not named when None.
    score_name : str, default=None
        The validation score, named on the second vertical axis; 'score'
        when None.
    validation_losses : list of ndarray or None, default=None
        One validation-loss curve per estimator, or None where none was
        recorded.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The loss lines, one per estimator.
    validation_loss_lines_ : list of matplotlib Line2D
        The validation-loss lines drawn.
    score_lines_ : list of matplotlib Line2D
        The validation-score lines drawn.
    ax_ : matplotlib Axes
        The axes of the losses.
    score_ax_ : matplotlib Axes or None
        The second axes of the validation scores, when there are any.
    legend_ : matplotlib Legend
        The legend of the loss lines, on the top axes, in the corner where it
        covers the fewest points of the loss and validation curves.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from types import SimpleNamespace
    >>> from sknn.plotting import LossCurveDisplay
    >>> fitted = SimpleNamespace(loss_curve_=[0.9, 0.5, 0.3], validation_scores_=None)
    >>> display = LossCurveDisplay.from_estimator(fitted, labels=["adam"])
    >>> display.lines_[0].get_ydata().tolist()
    [0.9, 0.5, 0.3]
    """

    def __init__(
        self,
        *,
        loss_curves,
        validation_scores,
        labels,
        loss_name=None,
        score_name=None,
        validation_losses=None,
    ):
        self.loss_curves = loss_curves
        self.validation_scores = validation_scores
        self.labels = labels
        self.loss_name = loss_name
        self.score_name = score_name
        self.validation_losses = validation_losses

    @classmethod
    def from_estimator(cls, estimators, *, labels=None, ax=None):
        """Draw the loss curves of fitted estimators on one axes.

        Parameters
        ----------
        estimators : estimator or list of estimators
            Fitted estimators with a ``loss_curve_`` attribute: sknn's
            networks record one with every solver, scikit-learn's only with
            'sgd' and 'adam'.
        labels : list of str, default=None
            Legend labels; by default each estimator's solver and activation.
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : LossCurveDisplay
        """
        if not isinstance(estimators, list | tuple):
            estimators = [estimators]
        curves, scores, losses = [], [], []
        for estimator in estimators:
            if getattr(estimator, "loss_curve_", None) is None:
                raise ValueError(_missing_curve_message(estimator))
            curves.append(np.asarray(estimator.loss_curve_))
            val = getattr(estimator, "validation_scores_", None)
            scores.append(None if val is None else np.asarray(val))
            val_loss = getattr(estimator, "validation_loss_curve_", None)
            losses.append(None if val_loss is None else np.asarray(val_loss))
        if labels is None:
            labels = [_describe(estimator) for estimator in estimators]
        scored = [e for e, val in zip(estimators, scores) if val is not None]
        display = cls(
            loss_curves=curves,
            validation_scores=scores,
            labels=list(labels),
            loss_name=_names_of(_loss_name, estimators),
            score_name=_names_of(_score_name, scored),
            validation_losses=losses,
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : LossCurveDisplay
        """
        if ax is None:
            self.figure_, ax = _pyplot().subplots(figsize=(6, 4), layout="constrained")
        else:
            self.figure_ = ax.figure
        self.ax_, self.score_ax_ = ax, None
        self.lines_, self.score_lines_, self.validation_loss_lines_ = [], [], []
        val_losses = self.validation_losses or [None] * len(self.loss_curves)
        for curve, val, val_loss, label in zip(
            self.loss_curves, self.validation_scores, val_losses, self.labels
        ):
            epochs = np.arange(1, len(curve) + 1)
            (line,) = ax.plot(epochs, curve, label=label)
            self.lines_.append(line)
            if val_loss is not None:
                (loss_line,) = ax.plot(
                    np.arange(1, len(val_loss) + 1),
                    val_loss,
                    "--",
                    color=line.get_color(),
                )
                self.validation_loss_lines_.append(loss_line)
            if val is not None:
                if self.score_ax_ is None:
                    self.score_ax_ = ax.twinx()
                    score = self.score_name or "score"
                    self.score_ax_.set_ylabel(f"validation {score} (dotted)")
                (score_line,) = self.score_ax_.plot(
                    np.arange(1, len(val) + 1), val, ":", color=line.get_color()
                )
                self.score_lines_.append(score_line)
        ax.set_xlabel("iteration (epoch)")
        what = "training loss"
        if self.validation_loss_lines_:
            what = "training (solid) and validation (dashed) loss"
        ax.set_ylabel(_with_name(what, self.loss_name))
        ax.grid(True, alpha=0.3)
        self.legend_ = self._legend()
        return self

    def _legend(self):
        """The legend, where it covers the fewest points of every curve.

        With validation scores on a second axes, matplotlib's ``loc='best'``
        sees only the losses and may cover the dotted scores; the corner is
        chosen here from both axes' lines. The legend goes on the top axes,
        so nothing is drawn over it.
        """
        top = self.score_ax_ if self.score_ax_ is not None else self.ax_
        legend = top.legend(handles=self.lines_, fontsize="small")
        if self.score_ax_ is not None or self.validation_loss_lines_:
            _place_legend(
                legend,
                [*self.lines_, *self.validation_loss_lines_, *self.score_lines_],
            )
        return legend


LEGEND_PLACES = (
    "upper right",
    "upper left",
    "lower left",
    "lower right",
    "center right",
    "center left",
    "upper center",
    "lower center",
    "center",
)
"""Where :func:`_place_legend` tries the legend, in order of preference."""


def _place_legend(legend, lines):
    """Move ``legend`` to the place covering the fewest points of ``lines``."""
    for axes in {line.axes for line in lines}:
        # Autoscaling is lazy: settle the limits before mapping points.
        axes.get_xlim(), axes.get_ylim()
    points = [line.get_transform().transform(line.get_xydata()) for line in lines]

    def covered(place):
        legend.set_loc(place)
        box = legend.get_window_extent()
        return sum(box.count_contains(xy) for xy in points)

    legend.set_loc(min(LEGEND_PLACES, key=covered))


def _missing_curve_message(estimator):
    """Why ``estimator`` has no loss curve to draw, and what to do."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    name = type(estimator).__name__
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        return f"{name} is not fitted: call fit before drawing its loss curve."
    except TypeError:  # not an estimator at all
        return f"{name} has no loss_curve_ to draw."
    return (
        f"{name} is fitted but recorded no loss_curve_: scikit-learn's MLPs "
        "record one only with solver='sgd' or 'adam'. sknn's MLPNeuronClassifier "
        "and MLPNeuronRegressor record one with 'lbfgs' too, one value per "
        "iteration."
    )


def _describe(estimator):
    params = getattr(estimator, "get_params", dict)()
    parts = [str(params[key]) for key in ("solver", "activation") if key in params]
    return " ".join(parts) or type(estimator).__name__


class DiagnosticsDisplay:
    """Per-layer training diagnostics over the epochs.

    One panel per statistic of ``diagnostics_`` (see
    :class:`~sknn.MLPNeuronClassifier`), one line per layer, each layer with
    its own colour, line style and marker, so that lines which coincide (the
    dead fractions of a logistic network, all 0) still show; a panel whose
    values are all 0 says so. Gradient RMS is drawn on a log scale, where a
    vanishing gradient shows as lines stacked decades apart. On new axes the
    panels fill a grid of three columns with one cell kept for the shared
    legend, so no cell is empty and the legend covers no data. Build it with
    :meth:`from_estimator`.

    Parameters
    ----------
    diagnostics : dict of ndarray of shape (n_epochs, n_layers)
        The statistics to draw, in panel order.
    layer_names : list of str
        One legend label per column.

    Attributes
    ----------
    lines_ : dict
        Maps each statistic to its list of Line2D, one per layer drawn, in
        layer order (a layer whose column is all NaN, such as the output
        layer for the hidden-layer statistics, has none).
    ax_ : ndarray of matplotlib Axes
        One per statistic.
    legend_ : matplotlib Legend
        The legend of the layers, shared by the panels: in a cell of its own
        on new axes, beside the last panel on given ones.
    notes_ : dict
        Maps each statistic that is 0 throughout to the Text saying so.
    figure_ : matplotlib Figure

    See Also
    --------
    LossCurveDisplay : The training loss over the epochs.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sknn import MLPNeuronClassifier
    >>> from sknn.datasets import make_xor
    >>> from sknn.plotting import DiagnosticsDisplay
    >>> X, y = make_xor(100, random_state=0)
    >>> clf = MLPNeuronClassifier(
    ...     (8, 8), solver="lbfgs", diagnostics=True, random_state=0
    ... ).fit(X, y)
    >>> display = DiagnosticsDisplay.from_estimator(clf, keys=["grad_rms"])
    >>> [line.get_label() for line in display.lines_["grad_rms"]]
    ['hidden 1 (8 relu)', 'hidden 2 (8 relu)', 'output']
    >>> line = display.lines_["grad_rms"][0]
    >>> bool((line.get_ydata() == clf.diagnostics_["grad_rms"][:, 0]).all())
    True
    """

    def __init__(self, *, diagnostics, layer_names):
        self.diagnostics = diagnostics
        self.layer_names = layer_names

    @classmethod
    def from_estimator(cls, estimator, *, keys=None, ax=None):
        """Draw the diagnostics an estimator recorded.

        Parameters
        ----------
        estimator : estimator
            Fitted with ``diagnostics=True``, so that it has ``diagnostics_``.
        keys : str or list of str, default=None
            The statistics to draw, one panel each; all of them when None.
        ax : array of matplotlib Axes, default=None
            One Axes per key; new ones when None.

        Returns
        -------
        display : DiagnosticsDisplay
        """
        recorded = getattr(estimator, "diagnostics_", None)
        if recorded is None:
            raise ValueError(
                f"{type(estimator).__name__} has no diagnostics_: fit it with "
                "diagnostics=True first."
            )
        keys = list(recorded) if keys is None else _as_list(keys)
        unknown = [key for key in keys if key not in recorded]
        if unknown:
            raise ValueError(
                f"Unknown diagnostics {unknown}; the estimator recorded "
                f"{list(recorded)}."
            )
        diagnostics = {key: np.asarray(recorded[key]) for key in keys}
        n_layers = next(iter(recorded.values())).shape[1]
        display = cls(
            diagnostics=diagnostics, layer_names=_layer_names(estimator, n_layers)
        )
        return display.plot(ax=ax)

    def plot(self, ax=None):
        """Draw the statistics, one panel each.

        Parameters
        ----------
        ax : array of matplotlib Axes, default=None
            One Axes per statistic; new ones when None.

        Returns
        -------
        display : DiagnosticsDisplay
            The object itself, with ``figure_``, ``ax_`` and ``lines_`` set.
        """
        n_panels = len(self.diagnostics)
        legend_ax = None
        if ax is None:
            # One cell more than the panels, for the legend: five statistics
            # fill a 2 x 3 grid, and the legend covers no data.
            self.figure_, cells = _axes_grid(None, n_panels + 1, max_cols=3)
            self.ax_, legend_ax = cells[:n_panels], cells[n_panels]
        else:
            self.figure_, self.ax_ = _axes_grid(ax, n_panels)
        self.lines_, self.notes_ = {}, {}
        for axes, (key, values) in zip(self.ax_, self.diagnostics.items()):
            epochs = np.arange(1, values.shape[0] + 1)
            lines = []
            for i, name in enumerate(self.layer_names):
                column = values[:, i]
                if np.isnan(column).all():
                    continue
                style = _layer_style(i, len(epochs))
                (line,) = axes.plot(epochs, column, label=name, **style)
                lines.append(line)
            self.lines_[key] = lines
            _style_panel(axes, key, values)
            if np.all(np.nan_to_num(values) == 0):
                # Lines stacked on 0 hide each other: say what the panel shows.
                self.notes_[key] = axes.text(
                    0.5,
                    0.5,
                    "0 in every layer\nat every epoch",
                    transform=axes.transAxes,
                    ha="center",
                    va="center",
                    color="0.3",
                )
        handles = max(self.lines_.values(), key=len, default=[])
        if legend_ax is not None:
            legend_ax.set_axis_off()
            self.legend_ = legend_ax.legend(
                handles=handles, loc="center", title="layer", fontsize="small"
            )
        else:
            # Beside the last panel, outside its data.
            self.legend_ = self.ax_[-1].legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.02, 1.0),
                fontsize="small",
            )
        return self


LAYER_MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*", "<", ">")
LAYER_LINESTYLES = ("-", "--", "-.", ":")


def _layer_style(i, n_epochs):
    """Colour, line style and marker of layer ``i``, no two layers alike.

    Layers whose values coincide (eight dead fractions at 0) still show
    apart: the markers are spread over different epochs for each layer,
    about six per line.
    """
    period = max(3, n_epochs // 6)
    return {
        "color": f"C{i % 10}",
        "linestyle": LAYER_LINESTYLES[i % len(LAYER_LINESTYLES)],
        "marker": LAYER_MARKERS[i % len(LAYER_MARKERS)],
        "markersize": 5,
        "markevery": (i % period, period),
        "fillstyle": "none",
    }


def _as_list(keys):
    return [keys] if isinstance(keys, str) else list(keys)


def _style_panel(axes, key, values):
    axes.set_title(key.replace("_", " "))
    axes.set_xlabel("epoch")
    axes.grid(True, alpha=0.3)
    if key == "grad_rms" and np.nanmin(values, initial=np.inf) > 0:
        axes.set_yscale("log")
    elif key.endswith("_fraction"):
        axes.set_ylim(-0.03, 1.03)


def _layer_names(estimator, n_layers):
    """'hidden 1 (32 relu)', ..., 'output' from a fitted network's parameters."""
    coefs = getattr(estimator, "coefs_", None)
    if coefs is None or len(coefs) != n_layers:
        return [f"layer {i + 1}" for i in range(n_layers)]
    activation = getattr(estimator, "activation", None)
    if not isinstance(activation, list | tuple):
        activation = [activation] * (n_layers - 1)
    names = []
    for coef, name in zip(coefs[:-1], activation):
        name = getattr(name, "name", name)  # an Activation object by its name
        suffix = f"{coef.shape[1]} {name}" if name else f"{coef.shape[1]}"
        names.append(f"hidden {len(names) + 1} ({suffix})")
    return [*names, "output"]


def _names_of(name_of, estimators):
    """The distinct names ``name_of`` gives the estimators, joined; None if none."""
    names = dict.fromkeys(name_of(estimator) for estimator in estimators)
    names.pop(None, None)
    return ", ".join(names) or None


def _with_name(text, name):
    return f"{text} ({name})" if name else text


def _estimator_type(estimator):
    """'classifier', 'regressor' or None (also for objects that are no estimator)."""
    from sklearn.utils import get_tags

    try:
        return get_tags(estimator).estimator_type
    except (AttributeError, TypeError):
        return None


def _loss_name(estimator):
    """The loss an estimator minimised, as scikit-learn's MLPs name it."""
    loss = getattr(estimator, "loss", None)
    if isinstance(loss, str):
        return loss
    return "log_loss" if _estimator_type(estimator) == "classifier" else None


def _score_name(estimator):
    """What ``validation_scores_`` holds: the scoring, or accuracy, or R²."""
    scoring = getattr(estimator, "scoring", None)
    if scoring == "loss":
        return "negative loss"
    if isinstance(scoring, str):
        return scoring
    if scoring is not None:
        return getattr(scoring, "__name__", "score")
    return {"classifier": "accuracy", "regressor": "R²"}.get(_estimator_type(estimator))
