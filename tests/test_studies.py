from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard import digest, frames, studies, work
from mlp import TrainConfig, datasets, sweep
from tests.test_work import wait_until


def results_of(arms):
    X, y = datasets.generate_xor_easy()
    records = sweep(X, y, [c for a in arms for c in a.configs])
    out, start = {}, 0
    for a in arms:
        out[a.label] = digest.digest(records[start : start + len(a.configs)], a.values)
        start += len(a.configs)
    return out, records


def test_an_arm_carries_its_swept_values_as_data():
    arm = studies.arm("0.1 | 20", TrainConfig(), 3, **{"learning rate": 0.1, "hidden units": 20})
    assert arm.values == (("learning rate", 0.1), ("hidden units", 20))
    assert [c.seed for c in arm.configs] == [0, 1, 2]


def test_summary_table_and_curves_cover_every_arm():
    base = TrainConfig(activation="identity", output_activation="identity", epochs=300, snapshots=2)
    arms = [
        studies.arm("5", base.replace(lr=5.0), 2, **{"learning rate": 5.0}),
        studies.arm("0.001", base.replace(lr=0.001), 2, **{"learning rate": 0.001}),
    ]
    results, records = results_of(arms)
    table = frames.summary_table(results, "arm")
    assert table["arm"].tolist() == ["5", "0.001"]
    assert table["learning rate"].tolist() == [5.0, 0.001]
    assert table["diverged"].tolist() == [2, 0]
    assert table["status"].tolist() == ["diverged", "stalled"]
    first = min(r.stopped_epoch for r in records[:2])
    assert table["diverged at"].tolist()[0] == first
    curves = frames.curves_frame(results, "arm")
    assert set(curves["arm"]) == {"5", "0.001"} and set(curves["metric"]) == {"loss", "accuracy"}
    ratios = frames.gradient_ratios(results)
    assert len(ratios) == 4 and np.isfinite(ratios["ratio"]).all()
    median = digest.median_run(records[2:])
    assert results["0.001"].median_network.theta.tolist() == median.network.theta.tolist()


def test_epochs_to_100_percent_counts_only_the_seeds_solved_at_the_end():
    # seed runs that touch 100% and fall back must not count as solved
    base = TrainConfig(epochs=2000, snapshots=2)
    results, records = results_of([studies.arm("1", base, 3)])
    solved = [r.first_perfect_epoch for r in records if r.final_accuracy == 1.0]
    table = frames.summary_table(results, "arm")
    assert table["solved"].tolist() == [len(solved)]
    assert table[frames.SOLVED_AT].tolist() == [float(np.median(solved))]


def test_digest_keeps_scalars_exact_and_thins_long_curves():
    X, y = datasets.generate_xor_easy()
    records = sweep(
        X, y, [TrainConfig(hidden=(3,), epochs=2000, seed=s, snapshots=2) for s in range(2)]
    )
    result = digest.digest(records, max_points=100)
    assert [s.final_loss for s in result.summaries] == [r.final_loss for r in records]
    assert len(result.curves) <= 2 * 100 and result.curves["epoch"].max() == 2000
    assert result.edge_norms.shape == (2, 2, 2)


def test_arms_trained_as_separate_jobs_give_the_digests_of_one_job():
    X, y = datasets.generate_xor_easy()
    base = TrainConfig(epochs=300, snapshots=2)
    arms = tuple(studies.arm(f"{lr:g}", base.replace(lr=lr), 2) for lr in (1.0, 0.1, 0.01))
    progress = work.Progress()
    whole = studies.train_arms(X, y, arms, None, progress)
    assert progress.fraction == 1.0
    apart = [result for a in arms for result in studies.train_arms(X, y, (a,), None, progress)]
    for together, alone in zip(whole, apart, strict=True):
        untimed = [
            [replace(s, seconds=0, cpu_seconds=0) for s in r.summaries] for r in (together, alone)
        ]
        assert repr(untimed[0]) == repr(untimed[1])  # repr: NaN (no test points) equals NaN
        pd.testing.assert_frame_equal(together.curves, alone.curves)


def test_arms_that_stack_share_a_job_cheap_jobs_are_bundled_the_dearest_goes_first():
    long, short = TrainConfig(epochs=20_000, snapshots=2), TrainConfig(epochs=300, snapshots=2)
    rates = [studies.arm(f"{lr:g}", long.replace(lr=lr), 2) for lr in (1.0, 0.1)]
    wide = studies.arm("64", long.replace(hidden=(64, 64)), 2)
    narrow = [studies.arm(str(w), short.replace(hidden=(w, w)), 2) for w in (2, 3)]
    jobs = studies.jobs_of([wide, *rates, *narrow], n_points=21)
    assert [[a.label for a in job.arms] for job in jobs] == [["64"], ["2", "3"], ["1", "0.1"]]
    assert all(job.seeds == () for job in jobs)
    assert jobs[1].seconds < studies.BUNDLE_SECONDS < jobs[2].seconds < jobs[0].seconds


def test_a_dear_stack_of_arms_is_split_into_one_stack_of_whole_arms_per_core():
    rates = (100, 10, 1, 0.1, 0.01, 0.001)
    for epochs, cores, expected in [
        (5000, 2, [["100", "10", "1"], ["0.1", "0.01", "0.001"]]),
        (5000, 1, [["100", "10", "1", "0.1", "0.01", "0.001"]]),
        (100, 2, [["100", "10", "1", "0.1", "0.01", "0.001"]]),  # too cheap to split
    ]:
        base = TrainConfig(epochs=epochs, snapshots=2)
        arms = [studies.arm(f"{lr:g}", base.replace(lr=lr), 5) for lr in rates]
        jobs = studies.jobs_of(arms, n_points=21, cores=cores)
        assert sorted([a.label for a in job.arms] for job in jobs) == sorted(expected)
        if len(jobs) > 1:
            assert min(job.seconds for job in jobs) >= studies.BUNDLE_SECONDS


def test_an_arm_of_networks_that_train_alone_is_one_job_per_seed():
    base = TrainConfig(epochs=300, snapshots=2)
    wide, narrow = (studies.arm(str(w), base.replace(hidden=(w, w)), 3) for w in (500, 2))
    jobs = studies.jobs_of([narrow, wide], n_points=21)
    assert sorted(job.seeds for job in jobs if job.seeds) == [(0,), (1,), (2,)]
    assert [c.seed for c in jobs[0].configs] == [jobs[0].seeds[0]]  # a wide seed first
    assert jobs[1].arms == (narrow,) and jobs[1].configs == narrow.configs


def test_jobs_start_dearest_then_the_cheap_ones_that_delay_nothing_then_longest_first():
    pieces = [studies.Piece((), seconds=s) for s in (0.9, 3.0, 0.4, 3.0, 0.2, 3.0, 3.0)]
    order = [p.seconds for p in studies.in_start_order(pieces, cores=2)]
    # By hand, on 2 cores: 3 | 0.2, 0.4 then 3 ends at 3.6 | 3 at 3–6 | 3 at 3.6–6.6 | 0.9
    # at 6–6.9. Taking 0.9 early too would end at 7.5; no order ends before 6.9.
    assert order == [3.0, 0.2, 0.4, 3.0, 3.0, 3.0, 0.9]
    one_core = [p.seconds for p in studies.in_start_order(pieces, cores=1)]
    assert one_core == [3.0, 0.2, 0.4, 0.9, 3.0, 3.0, 3.0]  # nothing to balance: cheap first


def test_the_start_order_ends_no_later_than_cheapest_first_or_longest_first():
    rng = np.random.default_rng(5)
    for _ in range(30):
        pieces = [studies.Piece((), seconds=float(s)) for s in rng.exponential(1.0, 8)]
        chosen = studies.in_start_order(pieces, cores=2)
        by_cost = sorted(pieces, key=lambda p: p.seconds)
        for other in (by_cost[-1:] + by_cost[:-1], by_cost[::-1]):
            assert makespan(chosen, 2) <= makespan(other, 2) + 0.01
        assert sorted(map(id, chosen)) == sorted(map(id, pieces))


def makespan(pieces, cores: int) -> float:
    """When the last piece ends, each started on the first free core, written out."""
    free_at = [0.0] * cores
    for piece in pieces:
        core = free_at.index(min(free_at))
        free_at[core] += piece.seconds
    return max(free_at)


def test_an_arm_assembled_from_its_seeds_jobs_is_digested_as_one_run_of_it():
    X, y = datasets.generate_xor_easy()
    base = TrainConfig(hidden=(400, 400), epochs=30, snapshots=2)
    wide = studies.arm("400", base, 2, **{"hidden units": 400})
    narrow = studies.arm("3", base.replace(hidden=(3, 3)), 2, **{"hidden units": 3})
    pieces = studies.jobs_of([wide, narrow], len(X))
    parts = [
        studies.train_configs(X, y, p.configs, None, work.Progress())
        if p.seeds
        else studies.train_arms(X, y, p.arms, None, work.Progress())
        for p in pieces
    ]
    queue = work.WorkQueue(slots=1)
    assembly = studies.Assembly(queue, "xor", [wide, narrow])
    wide_job = next(i for i, p in enumerate(pieces) if p.seeds)
    partial_parts = [None if i == wide_job else part for i, part in enumerate(parts)]
    assert list(assembly.add(pieces, partial_parts)) == ["3"]  # one seed of 400 is missing
    results = assembly.add(pieces, parts)
    expected, _ = results_of([wide, narrow])
    for label in ("400", "3"):
        pd.testing.assert_frame_equal(results[label].curves, expected[label].curves)
        assert results[label].values == expected[label].values
    again = studies.Assembly(queue, "xor", [wide, narrow])  # a rerun: the digest is kept
    assert again.missing() == [narrow] and again.results["400"] is results["400"]


def test_a_wide_arms_finished_seeds_serve_a_later_identical_study(monkeypatch):
    queue = work.WorkQueue(slots=1)
    monkeypatch.setattr(work, "shared", lambda: queue)
    X, y = datasets.generate_xor_easy()
    wide = studies.arm("400", TrainConfig(hidden=(400, 400), epochs=30, snapshots=2), 2)
    first = studies.plan_study(X, y, None, [wide])
    assert [p.seeds for p in first.pieces] == [(0,), (1,)]  # seed by seed
    seed = first.requests[0]
    done = queue.submit(seed.key, seed.work, "first visitor", seed.seconds)
    wait_until(lambda: done.over)
    later = studies.plan_study(X, y, None, [wide])  # the arm is not digested yet
    same = next(r for r in later.requests if r.key == seed.key)
    assert queue.submit(same.key, same.work, "second visitor", same.seconds).state == "done"
    assert queue.started_jobs == 1


def test_the_preview_is_redrawn_only_when_more_arms_are_finished(monkeypatch):
    X, y = datasets.generate_xor_easy()
    base = TrainConfig(epochs=50, snapshots=2)
    wide, narrow = (studies.arm(str(w), base.replace(hidden=(w, w)), 3) for w in (500, 2))
    titles = []

    def drawn(curves, field, swept, title):
        titles.append(title)
        return band_chart(curves, field, swept, title)

    def run_jobs(requests, label, key, knobs, on_progress):
        """The queue, written out: each job done in turn, whole arms first."""
        order = sorted(range(len(requests)), key=lambda i: requests[i].key[-1] != ())
        parts = [None] * len(requests)
        for i in order:
            parts[i] = requests[i].work(work.Progress())
            on_progress(list(parts))
        return parts

    band_chart = studies.band_chart
    monkeypatch.setattr(studies, "band_chart", drawn)
    monkeypatch.setattr(studies.runs, "run_jobs", run_jobs)
    work.shared().clear()
    results = studies.run_arms(X, y, [narrow, wide], "Training…")
    assert list(results) == ["2", "500"]
    # the narrow arm, then the wide arm's three seeds one by one: one redraw, not three
    assert titles == ["Loss so far: 1 of 2 settings finished"]
