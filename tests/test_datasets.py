import io

import numpy as np
import pytest

from mlp import datasets


def test_linear_labels_points_above_the_diagonal_one():
    X, y = datasets.generate_linear(100, seed=1)
    assert X.shape == (100, 2) and X.dtype == np.float64 and y.shape == (100, 1)
    assert np.all((X >= 0) & (X <= 1))
    np.testing.assert_array_equal(y.ravel(), np.where(X[:, 0] > X[:, 1], 0, 1))


def test_linear_is_reproducible_from_its_seed():
    a, _ = datasets.generate_linear(seed=5)
    b, _ = datasets.generate_linear(seed=5)
    np.testing.assert_array_equal(a, b)


def test_xor_easy_is_the_labs_21_points_in_order():
    X, y = datasets.generate_xor_easy()
    assert X.shape == (21, 2) and y.shape == (21, 1)
    np.testing.assert_allclose(X[:4], [[0, 0], [0, 1], [0.1, 0.1], [0.1, 0.9]])
    np.testing.assert_allclose(X[10:12], [[0.5, 0.5], [0.6, 0.6]])  # no (0.5, 0.5) twin
    assert y.ravel().tolist() == [0, 1] * 5 + [0] + [0, 1] * 5


@pytest.mark.parametrize("name", ["circle", "spiral", "moons", "gaussians"])
def test_shapes_have_both_labels_and_follow_their_seed(name):
    X, y = datasets.load(name, n=120, noise=0.05, seed=3)
    X2, _ = datasets.load(name, n=120, noise=0.05, seed=3)
    assert X.shape == (120, 2) and y.shape == (120, 1)
    assert set(np.unique(y)) == {0, 1}
    np.testing.assert_array_equal(X, X2)


def test_load_rejects_unknown_names_and_arguments():
    with pytest.raises(ValueError, match="unknown dataset"):
        datasets.load("iris")
    with pytest.raises(ValueError, match="xor"):
        datasets.load("xor", n=5)


def csv(text):
    return io.StringIO(text)


def test_from_csv_reads_columns_by_name_in_any_order():
    X, y = datasets.from_csv(csv("label,x2,x1\n1,0.5,0.25\n0,2,3\n"))
    np.testing.assert_allclose(X, [[0.25, 0.5], [3, 2]])
    assert y.ravel().tolist() == [1, 0]


def test_from_csv_accepts_bytes_with_a_utf8_bom():
    X, _ = datasets.from_csv(io.BytesIO("\ufeffx1,x2,label\n0,0,0\n1,1,1\n".encode()))
    assert X.shape == (2, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("x1,x2\n0,0\n1,1\n", "missing column.*label"),
        ("x1,x2,label\n0,abc,1\n1,1,0\n", "line 2, column x2: 'abc' is not a number"),
        ("x1,x2,label\n0,0,1\n1,nan,0\n", "line 3, column x2: 'nan' is not a finite number"),
        ("x1,x2,label\n0,0,1\n1,inf,0\n", "not a finite number"),
        ("x1,x2,label\n0,0,1\n\n1,1,2\n", "line 4, column label: 2 is not a label"),
        ("x1,x2,label\n0,0,1\n", "at least 2"),
        ("x1,x2,label\n0,0\n1,1,1\n", "line 2: 2 fields"),
        ("x1,x2,label\n=cmd|' /C calc'!A0,1,1\n1,1,0\n", "line 2, column x1"),
    ],
)
def test_from_csv_says_which_line_and_column_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        datasets.from_csv(csv(text))


def test_from_csv_rejects_non_utf8_bytes():
    with pytest.raises(ValueError, match="not UTF-8"):
        datasets.from_csv(io.BytesIO(b"x1,x2,label\n\xff\xfe,1,1\n"))


def test_from_csv_rejects_more_than_100000_rows():
    text = "x1,x2,label\n" + "0,0,1\n" * (datasets.MAX_CSV_ROWS + 1)
    with pytest.raises(ValueError, match="more than 100,000"):
        datasets.from_csv(csv(text))


def test_from_csv_reads_a_path(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x1,x2,label\n0,0,0\n1,1,1\n")
    assert datasets.from_csv(path)[1].tolist() == [[0], [1]]


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9])
def test_split_is_stratified_disjoint_and_exactly_the_input(fraction):
    X, y = datasets.moons(n=101, noise=0.1, seed=3)
    X_train, _, X_test, y_test = datasets.split(X, y, fraction, seed=4)
    assert len(X_train) + len(X_test) == 101
    rows = {tuple(p) for p in X_train} | {tuple(p) for p in X_test}
    assert rows == {tuple(p) for p in X} and not {tuple(p) for p in X_train} & {
        tuple(p) for p in X_test
    }
    for label in (0, 1):
        in_class = int(np.sum(y == label))
        tested = int(np.sum(y_test == label))
        assert abs(tested - fraction * in_class) <= 1  # each class in the same proportion
        assert fraction == 0 or 1 <= tested <= in_class - 1


def test_split_is_deterministic_from_its_seed():
    X, y = datasets.circle(n=50, seed=0)
    first, again = datasets.split(X, y, 0.3, seed=7), datasets.split(X, y, 0.3, seed=7)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[2], datasets.split(X, y, 0.3, seed=8)[2])


def test_a_two_point_class_keeps_one_point_on_each_side():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.2, 0.2], [0.8, 0.8], [0.5, 0.4]])
    y = np.array([0, 0, 1, 1, 1])
    _, y_train, _, y_test = datasets.split(X, y, 0.1)
    assert sorted(y_test.ravel().tolist()) == [0, 1] and sorted(y_train.ravel()) == [0, 1, 1]


@pytest.mark.parametrize("fraction", [-0.1, 0.95, True])
def test_a_test_fraction_out_of_range_is_refused(fraction):
    X, y = datasets.circle(n=20, seed=0)
    with pytest.raises(ValueError, match=r"test_fraction must be in 0\.\.0\.9"):
        datasets.split(X, y, fraction)
