-- Reserve one call on a project×model if it fits its limits.
-- KEYS: 1 window (zset ticket id -> until ms), 2 tickets (hash ticket id ->
--       tokens, plus "sum" of them), 3 day (hash req, in), 4 ticket counter
-- ARGV: 1 now ms, 2 until ms, 3 tokens, 4 rpm, 5 tpm, 6 rpd, 7 tpd,
--       8 day end ms, 9 window ttl ms, 10 day ttl ms
-- Returns {1, id} when counted, {0, wait ms, daily 0|1} when refused.
local now = tonumber(ARGV[1])
local tokens = tonumber(ARGV[3])
local rpm, tpm = tonumber(ARGV[4]), tonumber(ARGV[5])
local rpd, tpd = tonumber(ARGV[6]), tonumber(ARGV[7])
local dayEnd = tonumber(ARGV[8])

-- Drop the calls that left the window, and their tokens from the sum.
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #gone > 0 then
  local freed = 0
  for _, id in ipairs(gone) do
    freed = freed + (tonumber(redis.call('HGET', KEYS[2], id)) or 0)
    redis.call('HDEL', KEYS[2], id)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  redis.call('HINCRBY', KEYS[2], 'sum', -freed)
end
local sum = tonumber(redis.call('HGET', KEYS[2], 'sum')) or 0
local n = redis.call('ZCARD', KEYS[1])
local day = redis.call('HMGET', KEYS[3], 'req', 'in')
local req, used = tonumber(day[1]) or 0, tonumber(day[2]) or 0

-- As domain.projFit: every reason to wait blocks, the latest decides.
local blocked, free, daily = false, 0, 0
local function block(at, d)
  if not blocked or at > free then free, daily = at, d end
  blocked = true
end
if rpd > 0 and req >= rpd then block(dayEnd, 1) end
-- A call bigger than a whole allowance is left to Google: a fresh day or
-- an empty window takes it.
if tpd > 0 and used > 0 and used + tokens > tpd then block(dayEnd, 1) end
if rpm > 0 and n >= rpm then
  local e = redis.call('ZRANGE', KEYS[1], n - rpm, n - rpm, 'WITHSCORES')
  block(tonumber(e[2]), 0)
end
if tpm > 0 and sum > 0 and sum + tokens > tpm then
  -- Only a refusal walks the window, oldest first, to find when enough
  -- tokens have left.
  local e = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
  local left = sum
  for i = 1, #e, 2 do
    left = left - (tonumber(redis.call('HGET', KEYS[2], e[i])) or 0)
    if left + tokens <= tpm or left <= 0 then
      block(tonumber(e[i + 1]), 0)
      break
    end
  end
end
if blocked then
  return {0, free - now, daily}
end

local id = redis.call('INCR', KEYS[4])
-- The counter outlives every ticket it numbered; it goes only after days
-- without calls.
redis.call('PEXPIRE', KEYS[4], ARGV[10])
redis.call('ZADD', KEYS[1], ARGV[2], id)
redis.call('HSET', KEYS[2], id, tokens)
redis.call('HINCRBY', KEYS[2], 'sum', tokens)
redis.call('HINCRBY', KEYS[3], 'req', 1)
redis.call('HINCRBY', KEYS[3], 'in', tokens)
redis.call('PEXPIRE', KEYS[1], ARGV[9])
redis.call('PEXPIRE', KEYS[2], ARGV[9])
redis.call('PEXPIRE', KEYS[3], ARGV[10])
return {1, id}
