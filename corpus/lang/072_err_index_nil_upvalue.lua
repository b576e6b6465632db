-- error: indexing a nil upvalue names the upvalue
local state
local function read()
  return state.value
end
print("calling")
print(read())
