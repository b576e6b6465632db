-- goto between labels implements a small state machine
local input = {"a", "b", "a", "a", "b"}
local pos, trace = 0, ""
::state_a::
pos = pos + 1
if pos > #input then goto finish end
trace = trace .. "A"
if input[pos] == "b" then goto state_b end
goto state_a
::state_b::
trace = trace .. "B"
goto state_a
::finish::
print(trace)
