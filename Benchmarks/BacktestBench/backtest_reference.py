"""The Pythia backtest of BacktestBench, timed with the scipy reference fitters.

    python3 backtest_reference.py --csv PATH --reference DIR [--every K]
                                  [--jackknife-sample J] [--bootstrap-sample B] [--replicates 200]

Reads the same curves ScaleLab's BacktestBench reads (metric acc, shots 0, x = params column),
fits each law on params <= --train-max and predicts the larger models. The work per curve and law
is the work ScaleLab's Forecaster does:

  1. one full fit (the reference fitter: multistart bounded TRF);
  2. one leave-one-scale-out refit per training point (the points at its x left out), predicting
     the left-out point;
  3. --replicates bootstrap refits on points resampled with replacement (numpy default_rng,
     seeded per curve and law; a resample the fitter refuses, with too few distinct x, counts as
     done), each predicting the held-out scales.

The reference needs from a minute to half an hour per curve (its logistic fit runs every one of
its 28 starts to 2,000 evaluations on the flat MMLU curves: 0.1-20 s a fit), so the whole
backtest, about 19 hours, is estimated from a deterministic sample:

  - curves: every K-th in file order, starting with the first;
  - per measured curve and law: the full fit, J of the jackknife refits (evenly spaced points)
    and the first B bootstrap replicates;
  - the curve's time = full fit + mean jackknife refit x points + mean bootstrap refit x replicates;
    the total = the measured curves' times x curves / measured curves.

With --every 1 --jackknife-sample 0 --bootstrap-sample 0 (0 = all) nothing is estimated.

Two ways of doing the refits are timed on the same sample:

  reference  every refit is a complete reference fit (all of its starts) on the changed data;
  warm       every refit is what ScaleLab's engine does instead: one TRF run from the full-data
             solution (jackknife), and for a bootstrap replicate that run plus one from the start
             (of the full data's 16 best reference starts) that fits the resample best.

Prediction intervals (percentiles of 200 draws, milliseconds) are not computed: the sampled
refits could not support them. The full fits' held-out predictions are, for an accuracy check.

The result is one JSON object on stdout; progress goes to stderr.
"""
import argparse
import csv
import json
import platform
import sys
import time

import numpy as np


def load_curves(path, metric, shots):
    """Curves in order of first appearance, each a list of (x, y) sorted by x."""
    curves = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(line for line in handle if not line.startswith("#")):
            if row["metric"] != metric or int(row["shots"]) != shots:
                continue
            curves.setdefault(row["task"], []).append((float(row["params"]), float(row["value"])))
    return [(task, sorted(points)) for task, points in curves.items()]


def make_laws(fr, forms):
    """The reference's laws under ScaleLab's names; power and logistic also get what the warm
    refits need (the reference's residuals, Jacobian, bounds and starts, in its θ)."""

    def power_bounds(x, y):
        return np.array([0.0, -50.0, 0.0]), np.array([float(y.max()), 100.0, 5.0])

    def power_starts(x, y):
        lx, ymin, ymax = np.log(x), float(y.min()), float(y.max())
        starts = []
        for fraction in (0.0, 0.5, 0.8, 0.95, 0.99):
            e0 = fraction * ymin
            z = np.log(np.maximum(y - e0, 1e-12 * ymax))
            slope, intercept = np.polyfit(lx, z, 1)
            alpha = float(np.clip(-slope, 1e-3, 4.9))
            starts.append([e0, float(intercept) if alpha == -slope else float(np.mean(z + alpha * lx)), alpha])
            for fixed in (0.1, 0.3, 0.7):
                starts.append([e0, float(np.mean(z + fixed * lx)), fixed])
        return starts

    def power_value(t, x):
        return t[0] + np.exp(t[1] - t[2] * np.log(x))

    def power_jacobian(t, x):
        """Of the log residual: the law is fitted in log space."""
        term = np.exp(t[1] - t[2] * np.log(x))
        value = t[0] + term
        return np.column_stack([1.0 / value, term / value, -np.log(x) * term / value])

    def logistic_bounds(x, y):
        u = np.log10(x)
        if y.min() >= 0.0 and y.max() <= 1.0:
            return np.array([0.0, 0.0, 0.05, u.min() - 3]), np.array([1.0, 1.0, 50.0, u.max() + 3])
        span = y.max() - y.min()
        return (np.array([y.min() - 2 * span, y.min() - 2 * span, 0.05, u.min() - 3]),
                np.array([y.max() + 2 * span, y.max() + 2 * span, 50.0, u.max() + 3]))

    def logistic_starts(x, y):
        u, ymin, ymax = np.log10(x), float(y.min()), float(y.max())
        ceilings = [ymax, 1.0 if (ymin >= 0 and ymax <= 1) else ymax + (ymax - ymin)]
        increasing = np.polyfit(u, y, 1)[0] >= 0
        return [[ymin, hi, k, x0] if increasing else [hi, ymin, k, x0]
                for x0 in np.linspace(u.min(), u.max() + 1.0, 7) for k in (1.0, 4.0) for hi in ceilings]

    def logistic_jacobian(t, x):
        lo, hi, k, x0 = t
        s = forms.logistic(x, 0.0, 1.0, k, x0)
        ds = s * (1 - s)
        return np.column_stack([1 - s, s, (hi - lo) * ds * (np.log10(x) - x0), -(hi - lo) * ds * k])

    def bnsl(breaks):
        return dict(fit=lambda x, y: fr.fit_bnsl(x, y, breaks), form=f"bnsl{breaks}", space="log", p=3 + 3 * breaks)

    return {
        "power": dict(fit=fr.fit_power_law, form="power_law", space="log", p=3, value=power_value,
                      jacobian=power_jacobian, bounds=power_bounds, starts=power_starts,
                      theta=lambda q: [q["E"], np.log(q["A"]), q["alpha"]]),
        "logistic": dict(fit=fr.fit_logistic, form="logistic", space="linear", p=4,
                         value=lambda t, x: forms.logistic(x, *t), jacobian=logistic_jacobian,
                         bounds=logistic_bounds, starts=logistic_starts,
                         theta=lambda q: [q["lo"], q["hi"], q["k"], q["x0"]]),
        "bnsl1": bnsl(1),
        "bnsl2": bnsl(2),
    }


class Refits:
    """The two ways of refitting one law on changed data, each returning held-out predictions or None."""

    def __init__(self, law, fr, forms, least_squares):
        self.law, self.fr, self.forms, self.least_squares = law, fr, forms, least_squares

    def reference(self, x, y, at):
        try:
            fit = self.law["fit"](x, y)
        except self.fr.FitInputError:
            return None
        return self.forms.evaluate(self.law["form"], fit.params, at) if fit.params else None

    def residuals(self, t, x, y):
        value = self.law["value"](t, x)
        return np.log(value) - np.log(y) if self.law["space"] == "log" else value - y

    def objective(self, t, x, y):
        with np.errstate(all="ignore"):
            r = self.residuals(np.asarray(t, dtype=float), x, y)
        return float(np.sum(r * r)) if np.all(np.isfinite(r)) else np.inf

    def run(self, x, y, start):
        """One bounded TRF run from `start` with the reference's settings, or None."""
        law = self.law
        if len(np.unique(x)) < law["p"] + 1 or np.ptp(y) <= 1e-12 * max(1.0, np.max(np.abs(y))):
            return None
        lower, upper = law["bounds"](x, y)
        start = np.clip(np.asarray(start, dtype=float), lower + 1e-9 * (upper - lower), upper - 1e-9 * (upper - lower))
        try:
            result = self.least_squares(lambda t: self.residuals(t, x, y), start, jac=lambda t: law["jacobian"](t, x),
                                        bounds=(lower, upper), method="trf", x_scale="jac", ftol=1e-12, xtol=1e-12,
                                        gtol=1e-12, max_nfev=2000)
        except (ValueError, FloatingPointError):
            return None
        return result if np.isfinite(result.cost) else None

    def warm(self, x, y, at, theta, starts=None):
        """From the full-data θ and, for a bootstrap resample, from the best of `starts` too."""
        runs = [self.run(x, y, theta)]
        if starts:
            runs.append(self.run(x, y, min(starts, key=lambda s: self.objective(s, x, y))))
        runs = [r for r in runs if r is not None]
        return self.law["value"](min(runs, key=lambda r: r.cost).x, at) if runs else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--reference", required=True, help="the folder holding fit_reference.py and forms.py")
    parser.add_argument("--every", type=int, default=8, help="measure every K-th curve (1 = all)")
    parser.add_argument("--jackknife-sample", type=int, default=1, help="jackknife refits timed per curve and law (0 = all)")
    parser.add_argument("--bootstrap-sample", type=int, default=3, help="bootstrap refits timed per curve and law (0 = all)")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--train-max", type=float, default=3e9)
    parser.add_argument("--laws", default="power,logistic,bnsl1,bnsl2")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    sys.path.insert(0, args.reference)
    import scipy
    from scipy.optimize import least_squares
    import fit_reference as fr
    import forms

    laws = make_laws(fr, forms)
    names = [name for name in args.laws.split(",") if name]
    curves = load_curves(args.csv, "acc", 0)
    measured = curves[::max(1, args.every)]
    variants = ("reference", "warm")
    # Per variant and law: the estimated seconds of each measured curve.
    estimates = {v: {name: [] for name in names} for v in variants}
    counts = {name: dict(jackknife=[0, 0], bootstrap=[0, 0]) for name in names}  # [timed, in the full work]
    errors = {name: [] for name in names}
    refused = []
    started = time.perf_counter()
    for index, (task, points) in enumerate(measured):
        x = np.array([point[0] for point in points])
        y = np.array([point[1] for point in points])
        train, test = x <= args.train_max, x > args.train_max
        if not train.any() or not test.any():
            continue
        x_fit, y_fit, x_test = x[train], y[train], x[test]
        n = len(x_fit)
        jackknife = range(n) if args.jackknife_sample <= 0 or args.jackknife_sample >= n \
            else sorted(set(np.linspace(0, n - 1, args.jackknife_sample).round().astype(int)))
        for law_index, name in enumerate(names):
            law = laws[name]
            refits = Refits(law, fr, forms, least_squares)
            clock = time.perf_counter()
            try:
                full = law["fit"](x_fit, y_fit)
            except fr.FitInputError as error:
                full, reason = None, str(error)
            else:
                reason = full.message
                if full.params:
                    predicted = forms.evaluate(law["form"], full.params, x_test)
            full_seconds = time.perf_counter() - clock
            if full is None or not full.params:
                # Refused (as ScaleLab refuses it): the refusal is all the work there is.
                refused.append(f"{task} {name}: {reason}")
                for v in variants:
                    estimates[v][name].append(full_seconds)
                continue
            errors[name] += [float(abs(o - p)) for o, p in zip(y[test], predicted)]
            rng = np.random.default_rng([args.seed, index, law_index])
            replicates = args.replicates if args.bootstrap_sample <= 0 else min(args.bootstrap_sample, args.replicates)
            resamples = [rng.integers(0, n, n) for _ in range(replicates)]
            counts[name]["jackknife"][0] += len(jackknife)
            counts[name]["jackknife"][1] += n
            counts[name]["bootstrap"][0] += replicates
            counts[name]["bootstrap"][1] += args.replicates
            for variant in variants:
                # A law without warm refits here (the BNSLs) is refitted the reference way in both.
                how = variant if "value" in law else "reference"
                clock = time.perf_counter()
                if how == "warm":
                    theta = np.asarray(law["theta"](full.params), dtype=float)
                    starts = sorted(law["starts"](x_fit, y_fit), key=lambda s: refits.objective(s, x_fit, y_fit))[:16]
                setup = time.perf_counter() - clock
                clock = time.perf_counter()
                for i in jackknife:
                    keep = x_fit != x_fit[i]
                    if how == "reference":
                        refits.reference(x_fit[keep], y_fit[keep], x_fit[i:i + 1])
                    else:
                        refits.warm(x_fit[keep], y_fit[keep], x_fit[i:i + 1], theta)
                jackknife_seconds = time.perf_counter() - clock
                clock = time.perf_counter()
                for picked in resamples:
                    if how == "reference":
                        refits.reference(x_fit[picked], y_fit[picked], x_test)
                    else:
                        refits.warm(x_fit[picked], y_fit[picked], x_test, theta, starts)
                bootstrap_seconds = time.perf_counter() - clock
                estimates[variant][name].append(full_seconds + setup + jackknife_seconds / len(jackknife) * n
                                                + bootstrap_seconds / replicates * args.replicates)
        print(f"backtest_reference {index + 1}/{len(measured)} {task}: {time.perf_counter() - started:.1f} s",
              file=sys.stderr, flush=True)
    measured_seconds = time.perf_counter() - started

    out = dict(
        curves=len(curves), measured=[task for task, _ in measured], every=args.every,
        replicates=args.replicates, jackknife_sample=args.jackknife_sample, bootstrap_sample=args.bootstrap_sample,
        train_max=args.train_max, laws=names, measured_seconds=measured_seconds, refused=refused,
        versions=dict(python=platform.python_version(), numpy=np.__version__, scipy=scipy.__version__),
        counts={name: {phase: dict(timed=c[0], full=c[1]) for phase, c in phases.items()} for name, phases in counts.items()},
        accuracy={name: dict(predictions=len(e), mean_absolute_error=float(np.mean(e)) if e else None)
                  for name, e in errors.items()},
        variants={})
    for variant in variants:
        per_curve = [sum(values) for values in zip(*estimates[variant].values())]
        estimated = sum(per_curve)
        out["variants"][variant] = dict(
            estimated_seconds=estimated, scaled_seconds=estimated * len(curves) / max(1, len(measured)),
            per_curve_seconds=per_curve, laws={name: sum(values) for name, values in estimates[variant].items()})
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
