-- Take the lease if it is free, or renew it if holder has it.
-- KEYS: 1 lease; ARGV: 1 holder, 2 ttl ms. Returns 1 if holder has it.
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
