import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_policy_cache():
    """The policy gate caches versions in force; a rolled-back test must not leave its
    versions behind for the next test (here or in another app)."""
    from consent.policy_gate import policy_cache_clear

    cache.clear()
    policy_cache_clear()
    yield
    cache.clear()
    policy_cache_clear()
