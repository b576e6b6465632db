-- a local declared before two loops is shared by closures created in both
local acc = 0
local adders, readers = {}, {}
for i = 1, 3 do adders[i] = function() acc = acc + i end end
for i = 1, 2 do readers[i] = function() return acc * i end end
adders[1](); adders[3]()
print(readers[1](), readers[2]())
acc = 10
print(readers[2]())
