"""The shared cache's Redis backend (CACHES when CACHE_URL names Redis): Django's own, with
two savings on what every signed-in request reads (issue 10).

- One redis-py client per connection pool, kept, instead of a new one for every command:
  the client's constructor builds its table of some 170 reply callbacks each time, which
  cost more than the round trip of a cache read itself. The client holds no connection (the
  pool lends one per command), so keeping it changes nothing else.
- `get_chained`: a key, a "pointer" key, and the keys named after the pointer's value (and
  counters named after it incremented), in one round trip (a Lua script) instead of two or
  three. The session store reads a session, the account id kept beside it, the account's
  cached copy and its companions this way (vetpass.accounts.sessions), and an API request
  counts its account's request for the throttle in the same trip (vetpass.api_throttling).

Other caches (the embedded file cache, tests' caches) answer get_chained with two reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient

# KEYS: the key and its pointer. ARGV: the number n of followers, then n (before, after)
# pairs, each naming the key before .. pointer .. after, then (before, after, seconds)
# triples naming counters to increment (expiring after that many seconds). Missing keys
# come back as false (nil to the client); a pointer of 0 points nowhere.
_CHAINED = """
local found = redis.call('MGET', KEYS[1], KEYS[2])
local pointer = found[2]
local answer = {found[1], pointer}
if not pointer or pointer == '0' then
  return answer
end
local n = tonumber(ARGV[1])
local keys = {}
for i = 0, n - 1 do
  keys[i + 1] = ARGV[2 + 2 * i] .. pointer .. ARGV[3 + 2 * i]
end
if n > 0 then
  local values = redis.call('MGET', unpack(keys))
  for i = 1, n do
    answer[i + 2] = values[i]
  end
end
local at = 2 + 2 * n
local slot = n + 2
while at + 2 <= #ARGV do
  local counter = ARGV[at] .. pointer .. ARGV[at + 1]
  slot = slot + 1
  answer[slot] = redis.call('INCR', counter)
  redis.call('EXPIRE', counter, tonumber(ARGV[at + 2]))
  at = at + 3
end
return answer
"""
_MARK = "\x00"


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}
        self._scripts: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))  # pools live as long as this object
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client

    def get_chained(
        self,
        key: str,
        pointer_key: str,
        templates: Sequence[tuple[str, str]],
        counters: Sequence[tuple[str, str, int]] = (),
    ) -> tuple[Any, str | None, list[Any], list[int | None]]:
        # On the first server: it may write (the counters), and a replica refuses scripts.
        client = self.get_client(key, write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(_CHAINED)
        args: list[Any] = [len(templates)]
        args += [part for pair in templates for part in pair]
        args += [part for triple in counters for part in triple]
        answer = script(keys=[key, pointer_key], args=args, client=client)
        loads = self._serializer.loads  # type: ignore[attr-defined]
        value = None if answer[0] is None else loads(answer[0])
        raw = answer[1] if len(answer) > 1 else None
        pointer = raw.decode("latin-1") if isinstance(raw, bytes) else raw
        if not pointer or not str(pointer).isdigit() or str(pointer) == "0":
            # Integers (Django stores them unpickled); 0 points nowhere.
            return value, None, [None] * len(templates), [None] * len(counters)
        rest = list(answer[2:]) + [None] * (len(templates) + len(counters))
        followers = [None if v is None else loads(v) for v in rest[: len(templates)]]
        counts = [None if v is None else int(v) for v in rest[len(templates) :]][: len(counters)]
        return value, str(pointer), followers, counts


class RedisCache(DjangoRedisCache):
    """Django's RedisCache with the client above (CACHES' BACKEND when CACHE_URL is Redis)."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def key_template(self, template: str) -> tuple[str, str] | None:
        """The full key of `template` (a key with one "{}") as (before, after) around the
        "{}", or None when the key function does not keep the key's text (a hashing
        KEY_FUNCTION): then no script can name the key."""
        if template.count("{}") != 1:
            return None
        full = self.make_key(template.replace("{}", _MARK))
        if full.count(_MARK) != 1:
            return None
        before, after = full.split(_MARK)
        sample = self.make_key(template.replace("{}", "42"))
        return (before, after) if sample == f"{before}42{after}" else None


def get_chained(
    cache: Any,
    key: str,
    pointer_key: str,
    templates: Sequence[str],
    counters: Sequence[tuple[str, int]] = (),
) -> tuple[Any, str | None, dict[str, Any], dict[str, int]]:
    """(key's value, pointer_key's value as text, {template.format(pointer): value},
    {counter.format(pointer): count}) where each template is a key with one "{}" filled
    with the pointer, an integer (0 points nowhere), and each counter (template, seconds) is
    incremented and expires after that many seconds. One round trip on Redis. Elsewhere two
    reads, and no counter is touched (the caller counts by itself when its key is missing).
    A missing pointer answers None, no followers and no counts."""
    if isinstance(cache, RedisCache):
        parts = [cache.key_template(t) for t in templates]
        counted = [(cache.key_template(t), seconds) for t, seconds in counters]
        if all(p is not None for p in parts) and all(c is not None for c, _ in counted):
            value, pointer, values, counts = cache._cache.get_chained(  # type: ignore[attr-defined]
                cache.make_and_validate_key(key),
                cache.make_and_validate_key(pointer_key),
                parts,
                [(*c, seconds) for c, seconds in counted],  # type: ignore[misc]
            )
            if pointer is None:
                return value, None, {}, {}
            return (
                value,
                pointer,
                {t.format(pointer): v for t, v in zip(templates, values, strict=True)},
                {
                    t.format(pointer): n
                    for (t, _), n in zip(counters, counts, strict=True)
                    if n is not None
                },
            )
    found = cache.get_many([key, pointer_key])
    value, pointer = found.get(key), found.get(pointer_key)
    if type(pointer) is not int or pointer == 0:
        return value, None, {}, {}
    pointer = str(pointer)
    names = [t.format(pointer) for t in templates]
    followed = cache.get_many(names) if names else {}
    return value, pointer, {name: followed.get(name) for name in names}, {}
