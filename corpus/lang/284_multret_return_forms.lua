-- return f() passes all results; return (f()) exactly one
local function two() return 1, 2 end
local function none() end
local function all() return two() end
local function one() return (two()) end
local function zero_to_one() return (none()) end
print(all())
print(one())
print(select('#', all()), select('#', one()), select('#', zero_to_one()))
print(zero_to_one())
