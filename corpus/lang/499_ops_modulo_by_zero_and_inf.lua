-- modulo with zero, infinities and nan, printed via nan checks
local function isnan(x) return x ~= x end
print(isnan(5 % 0), isnan(-5 % 0), isnan(5.5 % 0))
print(isnan((1/0) % 2), isnan(-(1/0) % 2))
print(5 % (1/0), -5 % (1/0), 5 % (-1/0), -5 % (-1/0))
print(0 % (1/0), isnan(0 % 0))
