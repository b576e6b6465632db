-- the math table's contents, modf/min/max/frexp/ldexp/fmod edge cases, random with LuaJIT's generator, log with a base, errors
local names = {}
for k in pairs(math) do names[#names + 1] = k end
-- sort without table.sort
for i = 1, #names do for j = i + 1, #names do if names[j] < names[i] then names[i], names[j] = names[j], names[i] end end end
for i = 1, #names do print(names[i], type(math[names[i]])) end
print(math.modf(3.7), math.modf(-3.7), math.modf(1/0), math.modf(-1/0), math.modf(0/0), math.modf(-0))
print(math.min(0/0, 1), math.min(1, 0/0), math.max(0/0, 1), math.max(1, 0/0), math.min(-0, 0), math.min(0, -0), math.max(-0, 0))
print(math.frexp(0), math.frexp(-0), math.frexp(1/0), math.frexp(0/0), math.frexp(8), math.frexp(5e-324))
print(math.ldexp(1, 1024), math.ldexp(1, -1075), math.ldexp(3, 2.7), math.ldexp(1, "3"))
print(math.fmod(7, 3), math.fmod(-7, 3), math.fmod(1, 0), math.fmod(1/0, 1), math.fmod(1, 1/0))
print(math.floor(-0.5), math.ceil(-0.5), math.floor("3.7"), math.abs(-0), math.sqrt(-1), math.log(-1), math.log(0))
math.randomseed(42)
print(math.random(), math.random(10), math.random(5, 7))
print(pcall(math.random, 0))
print(pcall(math.random, 2, 1))
print(pcall(math.random, 1, 2, 3))
print(pcall(math.max))
print(math.log(8, 2), math.log(100, 10), math.log(27, 3), math.deg(math.pi), math.rad(180))
print(pcall(math.deg, nil))
print(pcall(math.rad, {}))
print(pcall(math.deg))
print(pcall(math.rad, "12"))
print(pcall(math.deg, true, 1))
