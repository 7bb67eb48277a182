"""``GroupCommit``: items that arrive while a run is busy go together in the next run.

With an ``interval``, runs start at least that far apart while items keep coming, so that slow
traffic still fills a batch; a first item after a quiet spell starts its run at once.
"""

from __future__ import annotations

import asyncio
import itertools
import time

from hall.auth import GroupCommit


class Recorder:
    """A ``work`` that notes each batch and when its run started."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.batches: list[list[int]] = []
        self.started: list[float] = []
        self._seconds = seconds

    def __call__(self, items: list[int]) -> list[int]:
        self.started.append(time.monotonic())
        self.batches.append(items)
        time.sleep(self._seconds)
        return [item * 10 for item in items]


async def _trickle(commit: GroupCommit[int, int], count: int, every: float) -> list[int]:
    tasks = []
    for item in range(count):
        tasks.append(asyncio.create_task(commit.submit(item)))
        await asyncio.sleep(every)
    return list(await asyncio.gather(*tasks))


def test_without_an_interval_each_run_takes_what_waited_and_answers_in_order() -> None:
    work = Recorder(seconds=0.02)
    answers = asyncio.run(_trickle(GroupCommit(work), 20, 0.005))
    assert answers == [item * 10 for item in range(20)]
    assert work.batches[0] == [0]  # the first item does not wait for company
    assert sum(len(batch) for batch in work.batches) == 20
    assert max(len(batch) for batch in work.batches) > 1


def test_an_interval_spaces_the_runs_and_fills_them_when_items_come_slowly() -> None:
    quick, paced = Recorder(), Recorder()
    asyncio.run(_trickle(GroupCommit(quick), 30, 0.004))
    answers = asyncio.run(_trickle(GroupCommit(paced, interval=0.05), 30, 0.004))
    assert answers == [item * 10 for item in range(30)]
    assert paced.batches[0] == [0]
    assert len(paced.batches) < len(quick.batches) / 2
    gaps = [later - earlier for earlier, later in itertools.pairwise(paced.started)]
    assert min(gaps) >= 0.045


def test_an_interval_never_holds_a_full_batch() -> None:
    work = Recorder()

    async def burst() -> list[int]:
        commit = GroupCommit(work, max_batch=5, interval=5.0)
        return list(await asyncio.gather(*(commit.submit(item) for item in range(15))))

    started = time.monotonic()
    assert asyncio.run(burst()) == [item * 10 for item in range(15)]
    assert time.monotonic() - started < 2.0
    assert [len(batch) for batch in work.batches] == [5, 5, 5]
