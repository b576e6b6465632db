-- long bracket strings used as table keys, call arguments and with level markers
local a = {[ [[k]] ] = 1, [ [==[x]]y]==] ] = 2}
print(a.k, a["x]]y"], a [ "k" ])
local function id(s) return s end
print(id[[
skipped first newline]], #[[
abc]], id[=[a]]b]=])
