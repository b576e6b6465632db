-- NaN compares false with everything including itself
local nan = 0/0
print(nan == nan, nan ~= nan, nan < 1, nan > 1, nan <= nan, nan >= nan)
print(not (nan < 1), 1 < nan, nan < 1/0)
local t = {nan}
print(t[1] == t[1])
print(pcall(function() local u = {}; u[nan] = 1 end))
print(rawequal(nan, nan))
