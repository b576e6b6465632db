-- Binary trees (the benchmarks-game program) at depth 16: allocation-heavy
-- with a long-lived tree alongside short-lived ones.
local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { bottom_up(depth), bottom_up(depth) }
end
local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end
local max_depth = 16
do
  local stretch = max_depth + 1
  print("stretch tree of depth " .. stretch .. " check: " .. check(bottom_up(stretch)))
end
local long_lived = bottom_up(max_depth)
for depth = 4, max_depth, 2 do
  local iters = 2 ^ (max_depth - depth + 4)
  local c = 0
  for i = 1, iters do c = c + check(bottom_up(depth)) end
  print(iters .. " trees of depth " .. depth .. " check: " .. c)
end
print("long lived tree of depth " .. max_depth .. " check: " .. check(long_lived))
