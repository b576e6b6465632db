-- closures created in loops capture a fresh loop variable each iteration
local fs = {}
for i = 1, 3 do
  fs[i] = function() return i end
end
print(fs[1](), fs[2](), fs[3]())
local gs = {}
local j = 1
while j <= 3 do
  local k = j
  gs[j] = function() return k * 10 end
  j = j + 1
end
print(gs[1](), gs[2](), gs[3]())
local hs = {}
for i = 1, 3 do
  local count = 0
  hs[i] = function() count = count + i; return count end
end
print(hs[1](), hs[1](), hs[2](), hs[3](), hs[3]())
local shared = 0
local ks = {}
for i = 1, 3 do
  ks[i] = function() shared = shared + i; return shared end
end
print(ks[1](), ks[2](), ks[3]())
