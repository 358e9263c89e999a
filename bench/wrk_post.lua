-- wrk script for bench_http.py: POST a JSON body, each request with the next bearer
-- token of this thread's share of a file of tokens (one a line; none: no Authorization),
-- so that every request is a different person. Counts answers by status.
-- wrk ... -s bench/wrk_post.lua URL -- BODY [TOKENS_FILE]
local threads, counter = {}, 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  body = args[1] or "{}"
  tokens, next_token = {}, 1
  if args[2] then
    local i = 0
    for line in io.lines(args[2]) do
      if i % thread_count() == id then table.insert(tokens, line) end
      i = i + 1
    end
  end
  created, duplicate, other, ran_out = 0, 0, 0, 0
end

function thread_count()
  return tonumber(os.getenv("WRK_THREADS") or "1")
end

function request()
  local headers = {["Content-Type"] = "application/json"}
  if #tokens > 0 then
    if next_token > #tokens then ran_out = 1; next_token = 1 end
    headers["Authorization"] = "Bearer " .. tokens[next_token]
    next_token = next_token + 1
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status == 201 or status == 202 then created = created + 1
  elseif status == 409 then duplicate = duplicate + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local c, d, o, r = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created"); d = d + thread:get("duplicate")
    o = o + thread:get("other"); r = r + thread:get("ran_out")
  end
  io.write(string.format("STATUS created=%d duplicate=%d other=%d ran_out=%d\n", c, d, o, r))
end
