-- nested tables and chained indexing
local t = {a = {b = {c = "deep"}}}
print(t.a.b.c)
t.a.b.d = 42
print(t.a.b.d)
local grid = {}
for i = 1, 3 do
  grid[i] = {}
  for j = 1, 3 do
    grid[i][j] = i * j
  end
end
print(grid[2][3], grid[3][3], #grid, #grid[1])
local list = {{1, 2}, {3, 4, 5}, {}}
print(#list, #list[1], #list[2], #list[3], list[2][3])
local alias = t.a
alias.x = "via alias"
print(t.a.x)
local cfg = {server = {ports = {80, 443}}}
print(cfg.server.ports[2], #cfg.server.ports)
