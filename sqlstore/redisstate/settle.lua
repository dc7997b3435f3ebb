-- Settle one ticket.
-- KEYS: 1 window, 2 tickets, 3 the ticket's day (as in reserve.lua)
-- ARGV: 1 ticket id, 2 counted 1|0, 3 final tokens, 4 estimate reserved
local id = ARGV[1]
local final, est = tonumber(ARGV[3]), tonumber(ARGV[4])
-- A ticket that already left the window changes only its day.
local inWindow = redis.call('ZSCORE', KEYS[1], id)
local old = tonumber(redis.call('HGET', KEYS[2], id))
local dreq, din
if ARGV[2] == '1' then
  if inWindow and old then
    redis.call('HSET', KEYS[2], id, final)
    redis.call('HINCRBY', KEYS[2], 'sum', final - old)
  end
  dreq, din = 0, final - est
else
  if inWindow then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('HINCRBY', KEYS[2], 'sum', -(old or 0))
  end
  dreq, din = -1, -est
end
-- The day key is the ticket's own day: a later day is never touched, and
-- a day that has expired is not brought back without a TTL.
if redis.call('EXISTS', KEYS[3]) == 1 then
  if dreq ~= 0 and redis.call('HINCRBY', KEYS[3], 'req', dreq) < 0 then
    redis.call('HSET', KEYS[3], 'req', 0)
  end
  if din ~= 0 and redis.call('HINCRBY', KEYS[3], 'in', din) < 0 then
    redis.call('HSET', KEYS[3], 'in', 0)
  end
end
return 1
