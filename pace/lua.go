package pace

// The scripts keep one key's state in two Redis keys that share a hash tag,
// so that a script touching both also runs on Redis Cluster:
//
//	bucket (hash):  s  tokens, in units × 60,000,000
//	                t  µs (Redis clock) the tokens were counted at; in the
//	                   future while a penalty holds refilling back
//	                h, hc, hx, hs  the hold: which acquire waits at the
//	                   head of the line, for how many (scaled) tokens,
//	                   until when, and since when it has waited
//	leases (zset):  one member per granted slot, scored by its expiry in µs
//
// Tokens are scaled by the microseconds in a minute so that one microsecond
// refills exactly UnitsPerMinute scaled tokens: every quantity stays an
// integer, and integers below 2^53 are exact in Lua's doubles (New bounds
// the config so they are). Lua's tostring keeps only 14 digits, which would
// round a microsecond timestamp, so numbers go back to Redis through int().
//
// A missing bucket is a full one and a missing lease set an empty one, so
// each key expires as soon as its state is that default again: Redis holds
// nothing for an idle mailbox.

const luaPrelude = `
-- TIME before a write needs effect replication on Redis older than 5.
if redis.replicate_commands then redis.replicate_commands() end

local SCALE = 60000000

local function int(x) return string.format('%.0f', x) end

local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- load returns the bucket refilled up to now, and its hold if still valid.
local function load(bucket, now, cap, rate)
  local f = redis.call('HMGET', bucket, 's', 't', 'h', 'hc', 'hx', 'hs')
  local s = tonumber(f[1]) or cap
  local t = tonumber(f[2]) or now
  if s > cap then s = cap end
  if now > t then
    -- Capping the elapsed time first keeps elapsed*rate exact after a
    -- long idle spell.
    local full = math.ceil((cap - s) / rate)
    if now - t >= full then s = cap else s = s + (now - t) * rate end
    t = now
  end
  local h, hc, hx, hs = f[3], tonumber(f[4]) or 0, tonumber(f[5]) or 0, tonumber(f[6]) or 0
  if not h or hx <= now then h, hc, hx, hs = false, 0, 0, 0 end
  return s, t, h, hc, hx, hs
end

local function save(bucket, now, cap, rate, s, t, h, hc, hx, hs)
  local ttl = math.ceil((cap - s) / rate)
  if t > now then ttl = ttl + (t - now) end
  if h and hx - now > ttl then ttl = hx - now end
  if ttl <= 0 then
    redis.call('DEL', bucket)
    return
  end
  if h then
    redis.call('HSET', bucket, 's', int(s), 't', int(t), 'h', h, 'hc', int(hc), 'hx', int(hx), 'hs', int(hs))
  else
    redis.call('HSET', bucket, 's', int(s), 't', int(t))
    redis.call('HDEL', bucket, 'h', 'hc', 'hx', 'hs')
  end
  redis.call('PEXPIRE', bucket, int(math.floor(ttl / 1000) + 1))
end
`

// acquireLua grants cost tokens and a slot together or neither.
//
// KEYS: bucket, leases.
// ARGV: id, cost (units), burst (units), units per minute, max in flight,
// lease TTL µs, slot poll µs, hold grace µs, since (µs this acquire first
// waited, 0 on its first run).
// Returns {granted, wait µs, blocked on (1 tokens, 2 slots, 3 both),
// holding, since}.
const acquireLua = luaPrelude + `
local bucket, leases = KEYS[1], KEYS[2]
local id = ARGV[1]
local cost = tonumber(ARGV[2]) * SCALE
local cap = tonumber(ARGV[3]) * SCALE
local rate = tonumber(ARGV[4])
local slots = tonumber(ARGV[5])
local leaseTTL = tonumber(ARGV[6])
local poll = tonumber(ARGV[7])
local grace = tonumber(ARGV[8])
local since = tonumber(ARGV[9])

local now = clock()
if since == 0 then since = now end
local s, t, h, hc, hx, hs = load(bucket, now, cap, rate)
local mine = h == id
-- The hold goes to whoever has waited longest, so that it cannot pass
-- from one small call to the next while a large one waits behind them.
local older = h and not mine and since < hs
local held = 0
if h and not mine and not older then held = hc end

redis.call('ZREMRANGEBYSCORE', leases, '-inf', int(now))
local busy = redis.call('ZCARD', leases)

local open = t <= now
local tokensOK = open and (cost == 0 or s - held >= cost)
local slotsOK = busy < slots

if tokensOK and slotsOK then
  s = s - cost
  if mine then h, hc, hx, hs = false, 0, 0, 0 end
  save(bucket, now, cap, rate, s, t, h, hc, hx, hs)
  redis.call('ZADD', leases, int(now + leaseTTL), id)
  local last = redis.call('ZRANGE', leases, -1, -1, 'WITHSCORES')
  redis.call('PEXPIRE', leases, int(math.floor((tonumber(last[2]) - now) / 1000) + 1))
  return {1, 0, 0, 0, since}
end

local wait, blocked = 0, 0
if not tokensOK then
  blocked = 1
  local base = 0
  if t > now then base = t - now end
  local function after(n)
    if n <= s then return base end
    return base + math.ceil((n - s) / rate)
  end
  if cost == 0 then
    wait = base
  else
    wait = after(cost + held)
    if held > 0 then
      -- The holder may never come back: its hold lapses at hx.
      local lapse = math.max(hx - now, after(cost))
      if lapse < wait then wait = lapse end
    end
  end
end
if not slotsOK then
  blocked = blocked + 2
  -- A release would come sooner than the first expiry, but only the
  -- releasing process can tell its own waiters: others poll.
  local first = redis.call('ZRANGE', leases, 0, 0, 'WITHSCORES')
  local sw = math.min(tonumber(first[2]) - now, poll)
  if sw > wait then wait = sw end
end

-- A waiting call holds the head of the line: later calls may take only
-- the tokens beyond its cost. Without it calls of 20 units, each granted
-- the moment 20 have accrued, would starve a call of 100 for as long as
-- a backfill runs.
local holding = 0
if cost > 0 and (mine or not h or older) then
  h, hc, hx, hs = id, cost, now + wait + grace, since
  holding = 1
end
save(bucket, now, cap, rate, s, t, h, hc, hx, hs)
return {0, wait, blocked, holding, since}
`

// penalizeLua empties the bucket and stops its refill for d, or keeps a
// longer penalty already in force.
//
// KEYS: bucket. ARGV: d µs, burst (units), units per minute.
const penalizeLua = luaPrelude + `
local bucket = KEYS[1]
local d = tonumber(ARGV[1])
local cap = tonumber(ARGV[2]) * SCALE
local rate = tonumber(ARGV[3])

local now = clock()
local s, t, h, hc, hx, hs = load(bucket, now, cap, rate)
if now + d > t then t = now + d end
save(bucket, now, cap, rate, 0, t, h, hc, hx, hs)
return 1
`

// abandonLua gives up an acquire that will not come back: its lease, in
// case the grant raced the caller's cancellation, and its hold, so the
// line does not wait for the hold to lapse.
//
// KEYS: bucket, leases. ARGV: id.
const abandonLua = `
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'h') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'h', 'hc', 'hx', 'hs')
end
return 1
`
