"""policy: a starter-pack-sized set (base of about 150 KB plus extensions) loads in under 100 ms."""

from __future__ import annotations

import time
from xml.etree import ElementTree

from connector_sim.policy._policy import load_policy, load_policy_sources
from tests.policies.synth import synthesize_policy_set, write_policy_set


def best_of(runs: int, fn) -> float:
    """The fastest of a few runs, in seconds (the first run pays for imports and warm-up)."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def test_synthesized_base_is_starter_pack_sized() -> None:
    files = synthesize_policy_set(150)
    size = len(files["TrustFrameworkBase.xml"].encode()) / 1024
    assert 130 <= size <= 180
    policy = load_policy_sources(sorted(files.items()))
    assert policy.policy_ids == ["B2C_1A_TrustFrameworkBase", "B2C_1A_TrustFrameworkExtensions", "B2C_1A_signup_signin"]
    assert policy.technical_profile("TP-3").metadata["ServiceUrl"] == "https://api-ext.contoso.example/api/p3"
    assert len(policy.technical_profiles) > 60 and policy.restful_profile_ids


def test_loading_and_resolving_takes_under_100_ms(tmp_path) -> None:
    paths = write_policy_set(tmp_path, 150)
    elapsed = best_of(5, lambda: load_policy(*paths.values()).profile("TP-0", {"RestApiKey": "k"}))
    bare = best_of(5, lambda: [ElementTree.parse(p) for p in paths.values()])
    assert elapsed < 0.100, f"loading took {elapsed * 1000:.1f} ms (bare ElementTree parse: {bare * 1000:.1f} ms)"


def test_lint_of_a_large_policy_is_fast(tmp_path) -> None:
    policy = load_policy_sources(sorted(synthesize_policy_set(150).items()))
    assert best_of(3, policy.lint) < 0.100
