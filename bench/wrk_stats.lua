-- bench_load.py's wrk script: one machine-readable line per run with the rate, the latency
-- percentiles (microseconds) and the answers that were not 200, which wrk itself counts as fine.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not_ok = 0 end
function response(status, headers, body)
  if status ~= 200 then not_ok = not_ok + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("not_ok") end
  local e = summary.errors
  io.write(string.format(
    'LOAD {"requests":%d,"rps":%.2f,"p50_us":%d,"p95_us":%d,"p99_us":%d,"not_ok":%d,"errors":%d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    bad, e.connect + e.read + e.write + e.timeout))
end
