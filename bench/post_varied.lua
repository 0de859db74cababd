-- wrk script: POST one complaint per request to /api/v1/complaints with a bearer token, each
-- request with a different body: complainant, phone, channel, class, severity and description
-- vary (a description is 2-6 clauses drawn from a vocabulary). Classes, severities, the token and
-- received_at come from the environment (bench/http_load.py sets them).
local token = os.getenv("BENCH_TOKEN")
local received_at = os.getenv("BENCH_RECEIVED_AT")

local function split(text)
  local out = {}
  for item in string.gmatch(text, "[^,]+") do out[#out + 1] = item end
  return out
end

local categories = split(os.getenv("BENCH_CATEGORIES"))
local severities = split(os.getenv("BENCH_SEVERITIES"))
local channels = {"phone", "web", "api", "email", "in_person", "sales"}
local surnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"}
local titles = {"先生", "女士", "经理", "老师", "总"}
local products = {"实木餐桌", "布艺沙发", "真皮沙发", "衣柜", "书柜", "床头柜", "双人床", "儿童床", "电视柜", "茶几"}
local parts = {"桌面", "桌腿", "柜门", "抽屉", "把手", "铰链", "靠背", "坐垫", "扶手", "床板"}
local defects = {"变形", "掉漆", "色差", "异味", "松动", "开裂", "划痕", "起泡", "脱胶", "异响"}
local context = {"客户反映", "收货后发现", "使用三个月后", "安装完成后", "送货当天", "客户来电称"}
local asks = {"要求上门检查", "要求更换", "要求退货退款", "要求赔偿", "要求尽快处理", "要求维修"}

local function pick(list) return list[math.random(#list)] end

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  math.randomseed(os.time() * 100 + (thread_id or 0))
end

function request()
  local clauses = {}
  for i = 1, math.random(2, 6) do
    clauses[i] = pick(context) .. "，" .. pick(products) .. pick(parts) .. pick(defects) .. "，" .. pick(asks)
  end
  local body = string.format(
    '{"channel": "%s", "received_at": "%s", "complainant_name": "%s%s", "complainant_phone": "13%09d", ' ..
    '"description": "%s。", "category": "%s", "severity": "%s"}',
    pick(channels), received_at, pick(surnames), pick(titles), math.random(0, 999999999),
    table.concat(clauses, "；"), pick(categories), pick(severities))
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests": %d, "duration_us": %d, "errors_connect": %d, "errors_read": %d, ' ..
    '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
