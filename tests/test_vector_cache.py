"""The sentence-vector cache is shared by `rag serve`'s threads: one thread's eviction must not
fail another's call, and every call returns the vectors of its own texts."""

from __future__ import annotations

import threading

import numpy as np

from rag.vector_cache import VectorCache


def _vec(text: str) -> np.ndarray:
    return np.array([len(text), sum(map(ord, text))], dtype=np.float32)


def test_a_vector_evicted_by_another_thread_mid_call_is_still_returned():
    entered, release = threading.Event(), threading.Event()

    def embed(texts: list[str]) -> np.ndarray:
        if "slow" in texts:  # the first thread's new text: wait while the other thread evicts
            entered.set()
            release.wait(5)
        return np.stack([_vec(t) for t in texts])

    cache = VectorCache(embed, max_items=3)
    cache(["kept"])
    out: dict[str, np.ndarray] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            out["v"] = cache(["kept", "slow"])
        except BaseException as e:  # noqa: BLE001 - the test reports whatever the thread raised
            errors.append(e)

    t = threading.Thread(target=first)
    t.start()
    assert entered.wait(5)
    cache(["a", "b", "c", "d"])  # evicts "kept" while the first call is embedding
    release.set()
    t.join(5)
    assert not errors
    np.testing.assert_array_equal(out["v"], np.stack([_vec("kept"), _vec("slow")]))
    assert len(cache.vectors) <= 3


def test_many_threads_get_their_own_vectors():
    cache = VectorCache(lambda ts: np.stack([_vec(t) for t in ts]), max_items=50)
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(200):
                texts = [f"s{(k * 7 + i + j) % 120}" for j in range(4)]
                np.testing.assert_array_equal(cache(texts), np.stack([_vec(t) for t in texts]))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache.vectors) <= 50
