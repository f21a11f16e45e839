import numpy as np
import pytest
from altair.utils import schemapi

from mlp import datasets


@pytest.fixture(autouse=True)
def charts_encode_channel_objects(monkeypatch):
    """Every test fails where a chart is encoded with a shorthand string ("epoch:Q") or a
    bare dict: Altair turns each into a channel by hashing every class of its schema
    (about 4 ms a channel, each chart, each page run). The dashboard writes alt.X(...)."""

    def refuse(self, wrapper_classes):
        raise AssertionError("encode with channel objects such as alt.X('epoch:Q')")

    monkeypatch.setattr(schemapi._FromDict, "__init__", refuse)


@pytest.fixture
def xor():
    return datasets.generate_xor_easy()


@pytest.fixture
def linear():
    return datasets.generate_linear(100, seed=0)


def assert_records_equal(a, b, rtol=1e-9):
    """Two run records agree: curves, norms, snapshots, predictions and flags."""
    assert a.config == b.config
    assert a.diverged == b.diverged
    assert a.stopped_epoch == b.stopped_epoch
    for name in (
        "loss",
        "accuracy",
        "grad_norms",
        "snapshot_epochs",
        "snapshot_theta",
        "predictions",
    ):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), rtol=rtol, atol=0)
    np.testing.assert_allclose(a.network.theta, b.network.theta, rtol=rtol, atol=0)


def central_differences(params, objective, eps=1e-6):
    """(∂f/∂W, ∂f/∂b) per layer of f = objective(params), by central differences: the
    independent computation every backprop test checks against."""
    grads = []
    for W, b in params:
        layer = []
        for p in (W, b):
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                up = objective(params)
                p[idx] = old - eps
                down = objective(params)
                p[idx] = old
                g[idx] = (up - down) / (2 * eps)
            layer.append(g)
        grads.append(tuple(layer))
    return grads
