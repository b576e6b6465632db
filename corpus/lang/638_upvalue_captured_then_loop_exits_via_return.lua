-- closures created in a loop that is exited by return keep their per-iteration values
local function collect(limit)
  local fs = {}
  for i = 1, 100 do
    local sq = i * i
    fs[i] = function() return sq end
    if sq > limit then return fs end
  end
end
local fs = collect(30)
print(#fs, fs[1](), fs[#fs]())
