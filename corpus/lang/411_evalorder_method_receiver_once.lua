-- obj:m() evaluates the receiver expression once
local count = 0
local obj = {n = 0}
function obj:m(a) self.n = self.n + a; return self.n end
local function get() count = count + 1; return obj end
print(get():m(5), count)
print(get():m(get():m(1)), count)
local holder = {inner = obj}
local function h() count = count + 1; return holder end
print(h().inner:m(100), count)
