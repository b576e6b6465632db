-- recursive method calls through self on a tree
local Node = {}
Node.__index = Node
local function node(v, l, r) return setmetatable({v = v, l = l, r = r}, Node) end
function Node:sum()
  local s = self.v
  if self.l then s = s + self.l:sum() end
  if self.r then s = s + self.r:sum() end
  return s
end
function Node:depth()
  local a = self.l and self.l:depth() or 0
  local b = self.r and self.r:depth() or 0
  return 1 + (a > b and a or b)
end
local tree = node(1, node(2, node(4), nil), node(3, node(5, nil, node(6))))
print(tree:sum(), tree:depth())
