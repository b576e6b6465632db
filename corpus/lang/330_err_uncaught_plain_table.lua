-- an uncaught error object that is a plain table
print("before")
local function raise(code)
  error({code = code})
end
raise(7)
