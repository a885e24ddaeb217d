-- wrk script: every request a prediction nobody asked before (cold), for overload runs.
-- TEAMS_FILE: one team name per line (e.g. from /v1/rankings?season=2024&limit=200);
-- OFFSET: where in the sequence of pairs to start, so successive runs do not repeat.
--   TEAMS_FILE=teams.txt OFFSET=0 taskset -c 1 wrk -t1 -c1200 -d20s --timeout 30s \
--     -s bench/wrk/cold_predict.lua http://127.0.0.1:8000
-- Prints the count of 200s (and per second), 503s and others, and P50/P90/P99 of all answers.
local teams = {}
for line in io.lines(os.getenv("TEAMS_FILE")) do teams[#teams + 1] = line end
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 1000003 + tonumber(os.getenv("OFFSET") or "0")
  ok, shed, other = 0, 0, 0
end

-- percent-encode every byte but the unreserved ones (a raw UTF-8 byte, as in "San José State",
-- is not allowed in a request line: the server answers 400)
local function esc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function request()
  counter = counter + 1
  local n = #teams
  local i = counter % n
  local j = math.floor(counter / n) % n
  if i == j then j = (j + 1) % n end
  local week = 5 + math.floor(counter / (n * n)) % 10
  local path = "/v1/predict?home=" .. esc(teams[i + 1]) .. "&away=" .. esc(teams[j + 1]) ..
    "&season=2024&week=" .. week
  return wrk.format("GET", path, {["X-Role"] = "production", ["X-User-Id"] = "wrk"})
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 503 then shed = shed + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("ok"); b = b + t:get("shed"); c = c + t:get("other")
  end
  local secs = summary.duration / 1e6
  io.write(string.format("status 200: %d (%.0f/s)  503: %d  other: %d  errors: connect %d read %d timeout %d\n",
    a, a / secs, b, c, summary.errors.connect, summary.errors.read, summary.errors.timeout))
  io.write(string.format("p50 %.1f ms p90 %.1f ms p99 %.1f ms max %.1f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
