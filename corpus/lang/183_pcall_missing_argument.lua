-- pcall with no arguments is itself an argument error
print(pcall(pcall))
print(pcall(function() local ok, e = pcall() return ok end))
print(pcall(function() return pcall() end))
print(pcall(pcall, nil))
print(pcall(pcall, pcall))
