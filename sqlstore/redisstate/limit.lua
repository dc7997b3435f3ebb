-- One request of a client: the day count, then a GCRA per minute, which
-- behaves as a token bucket of burst perMinute refilled at perMinute/60 s
-- (domain.ClientLimiter's rate.Limiter).
-- KEYS: 1 minute (theoretical arrival time, µs), 2 day count
-- ARGV: 1 now µs, 2 per minute, 3 per day, 4 day ttl ms
-- Returns {0} allowed, {1, wait µs} minute refusal, {2} day refusal.
local now = tonumber(ARGV[1])
local pm, pd = tonumber(ARGV[2]), tonumber(ARGV[3])
if pd > 0 and (tonumber(redis.call('GET', KEYS[2])) or 0) >= pd then
  return {2}
end
if pm > 0 then
  -- Whole microseconds: interval * pm never exceeds a minute, so a full
  -- burst always fits.
  local interval = math.floor(60000000 / pm)
  local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or 0, now)
  local wait = tat + interval - now - interval * pm
  if wait > 0 then
    return {1, wait}
  end
  tat = tat + interval
  -- %d: a Lua number turns into a string with only 14 digits.
  redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
end
if pd > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return {0}
