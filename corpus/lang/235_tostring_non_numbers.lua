-- tostring of nil, booleans and strings
print(tostring(nil), tostring(true), tostring(false))
print(tostring("s"), tostring(""))
print(type(tostring(nil)))
print(#tostring(nil), #tostring(false))
print(pcall(tostring))
print(tostring(1, 2))
