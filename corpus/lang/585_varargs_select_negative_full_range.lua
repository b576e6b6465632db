-- select(-n, ...) for every n from 1 to the count returns the tail
local function tails(...)
  local n = select('#', ...)
  for k = 1, n do
    print(k, select('#', select(-k, ...)), (select(-k, ...)))
  end
end
tails("a", nil, "c", false)
print(pcall(select, -1))
