-- A live heap of about 10 MiB (on either arm) for `moonshift gc-pause`: records
-- with strings, nested tables and closures, kept in a global.
records = {}
for i = 1, 21000 do
  local name = "user-" .. i
  records[i] = {
    id = i,
    name = name,
    tags = { "t" .. (i % 10), "group" .. (i % 100) },
    score = i * 0.5,
    greet = function() return name end,
  }
end
print(#records)
