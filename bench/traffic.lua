-- wrk script of bench/traffic.py: takes the readers' request stream in order from a file, one path a line.
--
--   wrk -t2 -c16 -d60s --latency -s bench/traffic.lua http://127.0.0.1:8765 -- STREAM_FILE THREADS
--
-- Thread k of n takes lines k, k+n, k+2n…, so together the threads follow the stream. If a thread reaches
-- the end of its share it starts again from its first line and counts a wrap (the Python side makes the
-- file long enough for that not to happen). Each thread counts its requests sent, its responses by status
-- and by X-Page-Cache value, and its responses and page-cache hits per wall-clock second. done() prints it
-- all as one line of JSON after "TRAFFIC ".
--
-- Everything is kept in plain global numbers and strings: wrk copies a thread's tables to the main state
-- in a way that breaks on the second copy, and numbers and strings are copied safely.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
   thread:set("started", os.time())
end

local paths = {}
local position = 0
sent = 0
wraps = 0
-- Names seen so far, comma-separated: "200,302" and "hit,miss,none".
statuses = ""
cache_values = ""

function init(args)
   local file, count = args[1], tonumber(args[2])
   local n = 0
   for line in io.lines(file) do
      if n % count == thread_number - 1 then
         paths[#paths + 1] = line
      end
      n = n + 1
   end
   if #paths == 0 then
      error("no paths for thread " .. thread_number .. " in " .. file)
   end
end

function request()
   position = position + 1
   if position > #paths then
      position = 1
      wraps = wraps + 1
   end
   sent = sent + 1
   return wrk.format("GET", paths[position])
end

local function bump(name)
   _G[name] = (_G[name] or 0) + 1
end

function response(status, headers, body)
   local second = os.time()
   bump("second_" .. second)
   local name = "status_" .. status
   if _G[name] == nil then
      statuses = statuses .. (statuses == "" and "" or ",") .. status
   end
   bump(name)
   local value = "none"
   for key, v in pairs(headers) do
      if string.lower(key) == "x-page-cache" then
         value = string.gsub(v, "[^%w%-]", "")
      end
   end
   name = "cache_" .. value
   if _G[name] == nil then
      cache_values = cache_values .. (cache_values == "" and "" or ",") .. value
   end
   bump(name)
   if value == "hit" then
      bump("hit_" .. second)
   end
end

local function split(text)
   local items = {}
   for item in string.gmatch(text, "[^,]+") do
      items[#items + 1] = item
   end
   return items
end

local function object(pairs_list)
   return "{" .. table.concat(pairs_list, ",") .. "}"
end

function done(summary, latency, requests)
   local finished = os.time()
   local parts = {}
   for _, thread in ipairs(threads) do
      local fields = {
         '"sent":' .. thread:get("sent"),
         '"wraps":' .. thread:get("wraps"),
      }
      local counts = {}
      for _, status in ipairs(split(thread:get("statuses"))) do
         counts[#counts + 1] = '"' .. status .. '":' .. thread:get("status_" .. status)
      end
      fields[#fields + 1] = '"statuses":' .. object(counts)
      counts = {}
      for _, value in ipairs(split(thread:get("cache_values"))) do
         counts[#counts + 1] = '"' .. value .. '":' .. thread:get("cache_" .. value)
      end
      fields[#fields + 1] = '"page_cache":' .. object(counts)
      local seconds, hits = {}, {}
      for second = thread:get("started") - 1, finished + 1 do
         local n = thread:get("second_" .. second)
         if n then
            seconds[#seconds + 1] = '"' .. second .. '":' .. n
         end
         n = thread:get("hit_" .. second)
         if n then
            hits[#hits + 1] = '"' .. second .. '":' .. n
         end
      end
      fields[#fields + 1] = '"per_second":' .. object(seconds)
      fields[#fields + 1] = '"hits_per_second":' .. object(hits)
      parts[#parts + 1] = object(fields)
   end
   io.write("TRAFFIC [" .. table.concat(parts, ",") .. "]\n")
end
