-- a closure capturing 24 distinct upvalues and mutating them all
local u1 = 1
local u2 = 2
local u3 = 3
local u4 = 4
local u5 = 5
local u6 = 6
local u7 = 7
local u8 = 8
local u9 = 9
local u10 = 10
local u11 = 11
local u12 = 12
local u13 = 13
local u14 = 14
local u15 = 15
local u16 = 16
local u17 = 17
local u18 = 18
local u19 = 19
local u20 = 20
local u21 = 21
local u22 = 22
local u23 = 23
local u24 = 24
local function bump()
  u1, u2, u3, u4, u5, u6, u7, u8, u9, u10, u11, u12, u13, u14, u15, u16, u17, u18, u19, u20, u21, u22, u23, u24 = u1 + u2, u2 + u3, u3 + u4, u4 + u5, u5 + u6, u6 + u7, u7 + u8, u8 + u9, u9 + u10, u10 + u11, u11 + u12, u12 + u13, u13 + u14, u14 + u15, u15 + u16, u16 + u17, u17 + u18, u18 + u19, u19 + u20, u20 + u21, u21 + u22, u22 + u23, u23 + u24, u24 + u1
  return u1 + u2 + u3 + u4 + u5 + u6 + u7 + u8 + u9 + u10 + u11 + u12 + u13 + u14 + u15 + u16 + u17 + u18 + u19 + u20 + u21 + u22 + u23 + u24
end
print(bump())
print(bump())
print(u1, u12, u24)
