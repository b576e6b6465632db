-- reassigning the for variable inside the body changes the captured copy only
local getters, setters = {}, {}
for i = 1, 3 do
  getters[i] = function() return i end
  setters[i] = function(v) i = v end
  i = i + 10
end
print(getters[1](), getters[2](), getters[3]())
setters[2](99)
print(getters[1](), getters[2](), getters[3]())
local k = 0
for i = 1, 3 do i = i * 2; k = k + i end
print(k)
