-- wrk script for bench/api.py: one script, three modes.
--
--   wrk ... -s bench/homelog.lua URL -- MODE FIRST_FAMILY LAST_FAMILY NONCE [BODY]
--
--   MODE health    GET /api/v1/health
--        timeline  GET /api/v1/families/{id}/timeline   (first page; id random in FIRST..LAST)
--        visit     POST /api/v1/families/{id}/visits    (BODY as JSON, a fresh Idempotency-Key
--                                                         UUID per request)
--
-- The Cookie and X-CSRF-Token headers come from wrk's -H options. Every response's
-- status is counted per thread; done() prints one machine-readable line:
--   WRK_RESULT {"requests":..,"duration_us":..,"p50_us":..,"p95_us":..,"ok":..,"created":..,
--               "non2xx":..,"first_bad":"..", "errors":{...}}

local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  table.insert(threads, thread)
  next_tid = next_tid + 1
end

function init(args)
  mode = args[1]
  first_family = tonumber(args[2])
  last_family = tonumber(args[3])
  nonce = tonumber(args[4])
  body = args[5]
  ok = 0
  created = 0
  non2xx = 0
  first_bad = ""
  counter = 0
  math.randomseed(nonce + tid * 1000003)
  if mode ~= "health" and mode ~= "timeline" and mode ~= "visit" then
    error("unknown mode " .. tostring(mode))
  end
end

local function r16() return math.random(0, 0xffff) end

local function uuid4()
  counter = counter + 1
  -- random bits, the thread id and a per-thread counter: random-looking and never repeated
  return string.format("%04x%04x-%04x-4%03x-%04x-%04x%08x",
    r16(), r16(), tid, math.random(0, 0xfff), 0x8000 + math.random(0, 0x3fff),
    r16(), counter)
end

function request()
  if mode == "health" then
    return wrk.format("GET", "/api/v1/health")
  end
  local family = math.random(first_family, last_family)
  if mode == "timeline" then
    return wrk.format("GET", "/api/v1/families/" .. family .. "/timeline")
  end
  -- wrk.format uses the table given instead of wrk.headers (the -H options), so copy them
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = uuid4()
  return wrk.format("POST", "/api/v1/families/" .. family .. "/visits", headers, body)
end

function response(status, headers, response_body)
  if status >= 200 and status < 300 then
    ok = ok + 1
    if status == 201 then created = created + 1 end
  else
    non2xx = non2xx + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. string.sub(response_body or "", 1, 300)
    end
  end
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local total_ok, total_created, total_bad, bad = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_created = total_created + thread:get("created")
    total_bad = total_bad + thread:get("non2xx")
    local first = thread:get("first_bad")
    if bad == "" and first ~= nil and first ~= "" then bad = first end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"ok":%d,"created":%d,"non2xx":%d,"first_bad":%s,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, total_ok, total_created, total_bad,
    json_string(bad), e.connect, e.read, e.write, e.status, e.timeout))
end
