-- wrk: every request signs in as the next of many young people (each thread starts at its
-- own offset), so no two connections share one sign-in and its rows.
-- bench/throughput.py writes `people` (cookie, token, path) and `method`, `body`, above this.
local counter = 0
local thread_number = 0

function setup(thread)
  thread:set("offset", thread_number * 7919)
  thread_number = thread_number + 1
end

function request()
  counter = counter + 1
  local person = people[((offset or 0) + counter) % #people + 1]
  local headers = { ["Cookie"] = person.cookie }
  local body = nil
  if method == "POST" then
    headers["HX-Request"] = "true"
    headers["X-CSRF-Token"] = person.token
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = string.format(body_format, counter % 11)
  end
  return wrk.format(method, person.path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, "connect": %d, ' ..
    '"read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect, e.read, e.write, e.status, e.timeout))
end
