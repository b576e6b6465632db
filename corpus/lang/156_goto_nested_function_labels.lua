-- labels in a nested function are separate from the enclosing function
local function inner()
  goto done
  do return "not reached" end
  ::done::
  return "inner done"
end
goto done
print("skipped")
::done::
print(inner())
