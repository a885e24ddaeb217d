-- wrk script: team pages in turn (cached answers after the first), for the topology bench.
-- PATHS: space-separated paths (default: six teams). Prints one JSON line at the end:
-- requests, 2xx, non-2xx, socket errors, req/s, P50/P95/P99 latency in ms.
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or
    "/v1/teams/Ohio%20State /v1/teams/Michigan /v1/teams/Alabama /v1/teams/Georgia " ..
    "/v1/teams/Texas /v1/teams/Oregon", "%S+") do
  paths[#paths + 1] = p
end
local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    '{"requests": %d, "non2xx": %d, "socket_errors": %d, "status_errors": %d, ' ..
    '"rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, bad, socket_errors, e.status, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
