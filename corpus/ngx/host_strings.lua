-- Strings the host hands the guest, from a few bytes to past the scratch
-- buffer's 64 KiB (those take a buffer of their own), interleaved so the
-- scratch buffer grows and is reused.
local n = tonumber(ngx.var.arg_n) or 10
local sizes = {3, n, 300, 5000, n * 7, 60000, 12, 70000, 1}
local total, sums = 0, {}
for i, size in ipairs(sizes) do
  local s = ngx.encode_base64(string.rep(string.char(65 + i), size))
  local back = ngx.decode_base64(s)
  assert(#back == size and back == string.rep(string.char(65 + i), size))
  total = total + #s
  sums[#sums + 1] = #s .. ":" .. s:sub(1, 8) .. s:sub(-4)
end
ngx.say(total, " ", table.concat(sums, ","))
ngx.req.set_header("X-Long", string.rep("v", n * 7))
local h = ngx.req.get_headers()["x-long"]
ngx.say(ngx.var.arg_tag or "no tag", " ", #h, " ", ngx.var.http_x_long == h)
