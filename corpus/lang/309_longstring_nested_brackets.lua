-- brackets of other levels do not close a long string
local s = [==[ [[ nested ]] [=[ also ]=] ]==]
print(s)
print(#s)
local t = [[ a [=[ b ]]
print(t)
print([=[]]]=], [=[x]=])
