-- nested calls with shared counter: inner calls complete before outer arguments after them
local log = ""
local function f(tag, ...)
  log = log .. tag
  return tag, ...
end
print(f("a", f("b"), f("c", f("d"))))
print(log)
log = ""
local r = {f("x", f("y")), f("z")}
print(#r, r[1], r[2], r[3], log)
