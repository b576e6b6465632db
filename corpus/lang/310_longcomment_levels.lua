-- long comments at several levels hide code, including closing brackets of other levels
local n = 0
--[[ n = n + 100 ]] n = n + 1
--[==[
n = n + 1000
]] still comment
]==] n = n + 2
--[=[ ]] ]==] ]=] n = n + 4
print(n)
--[[ single line ]] print("after comment")
---[[ not a long comment
n = n + 8
--]]
print(n)
