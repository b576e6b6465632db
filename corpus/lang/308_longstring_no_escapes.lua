-- escape sequences are not processed inside long strings
local s = [[a\nb\t\\c]]
print(s)
print(#s)
print([[\65]], #[[\65]])
print([=["quotes" and 'single']=])
