-- {f()} takes every result, {f(), 1} only the first
local function three() return "a", "b", "c" end
local function none() end
local t1 = {three()}
local t2 = {three(), 1}
local t3 = {1, three()}
local t4 = {(three())}
local t5 = {none()}
local t6 = {none(), 1}
print(#t1, #t2, #t3, #t4, #t5, t6[1], t6[2])
print(t2[1], t2[2], t3[4])
