-- wrk script of bench/run: one request shape per run, from the environment, and a JSON report.
--   BENCH_METHOD (GET), BENCH_BODY (JSON body of a POST), BENCH_IF_NONE_MATCH (an ETag to revalidate)
-- Every request says it came through Heroku's router (X-Forwarded-Proto: https) from its own client
-- address (X-Forwarded-For), as a crowd of users would: the per-client rate limit stays on and is
-- paid for, but no single client is held back by it.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local etag = os.getenv("BENCH_IF_NONE_MATCH")
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 16777216
end

function request()
  counter = counter + 1
  local headers = {
    ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(counter / 65536) % 256, math.floor(counter / 256) % 256, counter % 256),
  }
  if body then headers["Content-Type"] = "application/json" end
  if etag then headers["If-None-Match"] = etag end
  return wrk.format(method, nil, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
