-- extra arguments are discarded and missing ones are nil, also via multret calls
local function three(a, b, c) return a, b, c end
local function many() return 1, 2, 3, 4, 5 end
print(three())
print(three(many()))
print(three(many(), many()))
print(three(nil, many()))
print(three((many())))
