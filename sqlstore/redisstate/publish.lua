-- Keep (or forget) one pool event and publish it.
-- KEYS: 1 kept events (hash field -> JSON), 2 their expiry (zset field -> ms)
-- ARGV: 1 now ms, 2 op keep|drop|none, 3 field, 4 expiry ms, 5 JSON,
--       6 channel
local now = tonumber(ARGV[1])
local gone = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, f in ipairs(gone) do
  redis.call('HDEL', KEYS[1], f)
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)

if ARGV[2] == 'keep' then
  -- A longer cooldown already kept wins, as in domain.applyCooldown.
  local old = tonumber(redis.call('ZSCORE', KEYS[2], ARGV[3]))
  if not old or old <= tonumber(ARGV[4]) then
    redis.call('HSET', KEYS[1], ARGV[3], ARGV[5])
    redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
  end
elseif ARGV[2] == 'drop' then
  redis.call('HDEL', KEYS[1], ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[3])
end

-- Both keys live as long as their last event.
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
if #last == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
else
  local ttl = math.max(tonumber(last[2]) - now, 1)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('PUBLISH', ARGV[6], ARGV[5])
return 1
