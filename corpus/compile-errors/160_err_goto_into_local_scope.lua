-- goto forward into the scope of a local is rejected when the chunk loads
print("never printed")
goto skip
local y = 1
::skip::
print(y)
