-- many closures in a loop mutating a shared outer local and a per-iteration local
local shared = 0
local fns = {}
for i = 1, 20 do
  local own = i
  fns[i] = function() shared = shared + own; own = own * 2; return own end
end
local s = 0
for r = 1, 2 do
  for i = 1, 20 do s = s + fns[i]() end
end
print(shared, s)
